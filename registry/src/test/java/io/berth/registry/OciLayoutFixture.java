package io.berth.registry;

import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.Index;
import io.berth.spec.Manifest;
import io.berth.spec.MediaType;
import io.berth.spec.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a tiny OCI image layout by hand with the spec types: config, one gzip tar layer, manifest,
 * {@code index.json} with a ref.name annotation, and {@code oci-layout}.
 */
final class OciLayoutFixture {
    private OciLayoutFixture() {}

    /** A single-platform image tagged {@code tag}; returns the manifest digest. */
    static Digest image(Path layout, String tag, String fileContent) {
        Descriptor m = manifest(layout, "amd64", fileContent);
        writeIndex(layout, List.of(m.withAnnotations(Map.of(Descriptor.REF_NAME, tag))));
        return m.digest();
    }

    /** A two-platform index (amd64, arm64) tagged {@code tag}; returns the index digest. */
    static Digest multiPlatform(Path layout, String tag) {
        List<Descriptor> children = new ArrayList<>();
        for (String arch : List.of("amd64", "arm64")) {
            children.add(manifest(layout, arch, "built for " + arch + "\n")
                    .withPlatform(Optional.of(Platform.of("linux", arch))));
        }
        byte[] ix = Index.of(children).toBytes();
        Digest d = blob(layout, ix);
        Descriptor top = Descriptor.of(MediaType.Known.OCI_INDEX, d, ix.length)
                .withAnnotations(Map.of(Descriptor.REF_NAME, tag));
        writeIndex(layout, List.of(top));
        return d;
    }

    private static Descriptor manifest(Path layout, String arch, String fileContent) {
        byte[] layer = gzip(tar("hello.txt", fileContent.getBytes(StandardCharsets.UTF_8)));
        byte[] tarBytes = tar("hello.txt", fileContent.getBytes(StandardCharsets.UTF_8));
        byte[] config = ("{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\"" + Digest.sha256(tarBytes) + "\"]}}").getBytes(StandardCharsets.UTF_8);
        blob(layout, layer);
        blob(layout, config);
        Manifest m = Manifest.oci(Descriptor.forContent(MediaType.Known.OCI_CONFIG, config),
                List.of(Descriptor.forContent(MediaType.Known.OCI_LAYER_GZIP, layer)), Map.of());
        byte[] bytes = m.toBytes();
        blob(layout, bytes);
        return Descriptor.forContent(MediaType.Known.OCI_MANIFEST, bytes);
    }

    private static void writeIndex(Path layout, List<Descriptor> manifests) {
        try {
            Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            Files.write(layout.resolve("index.json"), Index.of(manifests).toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Digest blob(Path layout, byte[] content) {
        Digest d = Digest.sha256(content);
        try {
            Path p = layout.resolve("blobs").resolve(d.algorithm()).resolve(d.encoded());
            Files.createDirectories(p.getParent());
            Files.write(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return d;
    }

    /** A ustar archive holding one regular file. */
    static byte[] tar(String name, byte[] content) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644\0");
        put(h, 108, "0000000\0");
        put(h, 116, "0000000\0");
        put(h, 124, String.format("%011o\0", content.length));
        put(h, 136, "00000000000\0");
        h[156] = '0';
        put(h, 257, "ustar\0");
        put(h, 263, "00");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o\0 ", sum));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h);
        out.writeBytes(content);
        out.writeBytes(new byte[(512 - content.length % 512) % 512]);
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }

    private static byte[] gzip(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
