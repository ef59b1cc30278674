package io.berth.client.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Extra certificate authorities per registry, the way containers/image and docker read them: every
 * {@code *.crt} in {@code <dir>/<host[:port]>/} of {@code /etc/containers/certs.d} and
 * {@code /etc/docker/certs.d} (or of {@code $BERTH_CERTS_DIR}, or {@code -Dberth.certsDir}) is trusted
 * for that registry in addition to the JDK's trust store. Client certificates ({@code *.cert}/{@code *.key})
 * are not supported.
 */
final class CertsDir {
    private CertsDir() {}

    /** The directories searched, in order. */
    static List<Path> roots(Map<String, String> env) {
        String p = System.getProperty("berth.certsDir", env.get("BERTH_CERTS_DIR"));
        if (p != null && !p.isEmpty()) {
            List<Path> out = new ArrayList<>();
            for (String s : p.split(":")) {
                if (!s.isEmpty()) {
                    out.add(Path.of(s));
                }
            }
            return out;
        }
        return List.of(Path.of("/etc/containers/certs.d"), Path.of("/etc/docker/certs.d"));
    }

    /** The {@code *.crt} files for {@code host} (as written in the reference, with its port). */
    static List<Path> caFiles(String host, List<Path> roots) {
        List<Path> out = new ArrayList<>();
        for (Path root : roots) {
            Path dir = root.resolve(host);
            if (!host.contains("/") && !host.contains("..") && Files.isDirectory(dir)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.crt")) {
                    ds.forEach(out::add);
                } catch (IOException e) {
                    throw new IllegalStateException("read CA certificates in " + dir + ": " + e.getMessage(), e);
                }
            }
        }
        Collections.sort(out);
        return out;
    }

    /** The TLS context for {@code host}: the JDK's default, or one that also trusts the host's CA files. */
    static SSLContext context(String host, List<Path> roots) {
        List<Path> cas = caFiles(host, roots);
        try {
            if (cas.isEmpty()) {
                return SSLContext.getDefault();
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            jdk.init((KeyStore) null);
            int n = 0;
            for (javax.net.ssl.TrustManager tm : jdk.getTrustManagers()) {
                if (tm instanceof javax.net.ssl.X509TrustManager x) {
                    for (Certificate c : x.getAcceptedIssuers()) {
                        trust.setCertificateEntry("jdk-" + n++, c);
                    }
                }
            }
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Path f : cas) {
                try (InputStream in = Files.newInputStream(f)) {
                    for (Certificate c : cf.generateCertificates(in)) {
                        trust.setCertificateEntry("certs.d-" + n++, c);
                    }
                } catch (IOException | GeneralSecurityException e) {
                    throw new IllegalStateException("CA certificate " + f + ": " + e.getMessage(), e);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("TLS for " + host + ": " + e.getMessage(), e);
        }
    }
}
