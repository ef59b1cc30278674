package io.berth.client.registry;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An {@link SSLContext} that makes the real one on its first TLS connection. The JDK HTTP client asks
 * for {@code SSLContext.getDefault()} (trust store, key managers, providers) and its default parameters
 * when it is built, used or not: ~150-200 ms of a short command against a plain-HTTP registry
 * (docs/benchmarks.md "Pull and push"). Give the client this context with {@link #PARAMETERS} and it
 * pays only when a registry speaks TLS; the engine then keeps the real context's protocols and cipher
 * suites (null in the parameters means "unchanged"), and the HTTP client still sets host name
 * verification ("HTTPS") and SNI on every engine.
 */
final class LazyTls extends SSLContext {
    /** No protocol or cipher suite chosen: the real context's defaults apply. */
    static final SSLParameters PARAMETERS = new SSLParameters();

    LazyTls(Supplier<SSLContext> real) {
        super(new Spi(real), null, "TLS");
    }

    /** A lazy context over the JDK's default one. */
    static LazyTls ofDefault() {
        return new LazyTls(() -> {
            try {
                return SSLContext.getDefault();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("TLS is not available: " + e.getMessage(), e);
            }
        });
    }

    private static final class Spi extends SSLContextSpi {
        private final Supplier<SSLContext> supplier;
        private volatile SSLContext real;

        Spi(Supplier<SSLContext> supplier) {
            this.supplier = supplier;
        }

        private SSLContext real() {
            SSLContext r = real;
            if (r == null) {
                synchronized (this) {
                    r = real;
                    if (r == null) {
                        r = supplier.get();
                        real = r;
                    }
                }
            }
            return r;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
            throw new UnsupportedOperationException("a lazy TLS context is configured by its supplier");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return real().getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return real().getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return real().createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return real().createSSLEngine(host, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return real().getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return real().getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return real().getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return real().getSupportedSSLParameters();
        }
    }
}
