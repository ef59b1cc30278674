package io.berth.image.unpack;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.image.ImageException;
import io.berth.image.layout.OciLayout;
import io.berth.image.testing.TarBuilder;
import io.berth.spec.Compression;
import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.ImageConfig;
import io.berth.spec.Manifest;
import io.berth.spec.MediaType;
import io.berth.spec.Platform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutation fuzzing of the unpacker: random byte edits of a layer tar (links, whiteouts, long names
 * included), stored as a valid uncompressed layer so verification passes and the tar reader and the
 * applier see the damage. Each run either succeeds or fails with an ImageException or an I/O error,
 * never writes outside the rootfs, and never leaves a partial tree. Fixed seed: repeatable.
 */
class TarFuzzTest {
    static final int ROUNDS = 300;

    @TempDir
    Path tmp;

    static byte[] seedTar() {
        return new TarBuilder().dir("etc").file("etc/passwd", "root:x:0:0::/:/bin/sh\n").symlink("lib", "/usr/lib")
                .dir("usr/lib").file("usr/lib/libc.so", "elf").hardlink("usr/lib/libc2.so", "usr/lib/libc.so")
                .file("a/" + "long".repeat(40) + "/name", "n").file(".wh.gone", "").dir("opq")
                .file("opq/.wh..wh..opq", "").symlink("up", "../../..").fifo("pipe").tar();
    }

    @Test
    void mutantsFailCleanlyOrUnpackInside() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("victim"), "original");
        OciLayout layout = OciLayout.openOrCreate(tmp.resolve("layout"));
        byte[] seed = seedTar();
        Random r = new Random(42);
        int ok = 0;
        for (int i = 0; i < ROUNDS; i++) {
            byte[] m = seed.clone();
            for (int e = 0; e < 1 + r.nextInt(8); e++) {
                int pos = r.nextInt(Math.min(m.length, 6 * 1024));
                m[pos] = r.nextBoolean() ? (byte) r.nextInt(256) : (byte) "/.0 7x\0".charAt(r.nextInt(7));
            }
            layout.blobs().put(m);
            Descriptor layer = Descriptor.forContent(MediaType.ociLayer(Compression.NONE), m);
            ImageConfig cfg = ImageConfig.empty(Platform.parse("linux/amd64")).withLayer(Digest.sha256(m),
                    new ImageConfig.History(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false));
            Manifest manifest = Manifest.oci(layout.putConfig(cfg), List.of(layer), Map.of());
            Path bundle = tmp.resolve("b" + i);
            Path rootfs = bundle.resolve("rootfs");
            try {
                Unpacker.unpack(layout.blobs(), manifest, cfg, rootfs, UnpackOptions.defaults());
                ok++;
            } catch (ImageException | UncheckedIOException e) {
                assertThat(e.getMessage()).isNotBlank();
                try (var s = Files.list(bundle)) {
                    assertThat(s.toList()).as("no partial tree after: " + e.getMessage()).isEmpty();
                }
            }
            assertThat(Files.readString(outside.resolve("victim"))).isEqualTo("original");
            try (var s = Files.list(outside)) {
                assertThat(s.count()).isEqualTo(1);
            }
            clean(bundle);
        }
        assertThat(ok).isPositive().isLessThan(ROUNDS);
    }

    static void clean(Path p) throws IOException {
        io.berth.image.fs.Trees.remove(p);
    }
}
