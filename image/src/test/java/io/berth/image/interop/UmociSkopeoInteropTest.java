package io.berth.image.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.image.create.ImageChanges;
import io.berth.image.create.ImageCreator;
import io.berth.image.fs.FileMeta;
import io.berth.image.fs.Mknod;
import io.berth.image.fs.Xattrs;
import io.berth.image.layout.OciLayout;
import io.berth.image.layout.ResolvedImage;
import io.berth.image.testing.Cmd;
import io.berth.image.testing.TreeDiff;
import io.berth.image.unpack.UnpackOptions;
import io.berth.image.unpack.Unpacker;
import io.berth.spec.Compression;
import io.berth.spec.Descriptor;
import io.berth.spec.Index;
import io.berth.spec.Platform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Berth against the real peers (Debian's umoci 0.4.7 and skopeo 1.9, installed by scripts/env.sh;
 * a missing peer fails these tests): what Berth writes, umoci unpacks to the same tree Berth does;
 * what umoci writes (and skopeo copies), Berth unpacks to the same tree umoci does; skopeo copies a
 * Berth layout and back with every digest unchanged.
 */
class UmociSkopeoInteropTest {
    static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    Path tmp;

    /** A tree with every kind of object a layer carries. */
    static void richTree(Path root) throws Exception {
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("data/sub"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(root.resolve("bin/tool"), "#!/bin/sh\necho tool\n");
        Files.setAttribute(root.resolve("bin/tool"), "unix:mode", 04755);
        Files.createDirectories(root.resolve("tmp"));
        Files.setAttribute(root.resolve("tmp"), "unix:mode", 01777);
        Files.writeString(root.resolve("data/owned"), "owned by 1000:2000");
        Files.setAttribute(root.resolve("data/owned"), "unix:uid", 1000);
        Files.setAttribute(root.resolve("data/owned"), "unix:gid", 2000);
        Files.writeString(root.resolve("data/sub/deep.txt"), "deep\n".repeat(1000));
        Files.createSymbolicLink(root.resolve("bin/sh-link"), Path.of("tool"));
        Files.createSymbolicLink(root.resolve("abs-link"), Path.of("/etc/passwd"));
        Files.createLink(root.resolve("data/hard"), root.resolve("data/sub/deep.txt"));
        Mknod.mknod(root.resolve("data/fifo"), Mknod.S_IFIFO, 0640, 0, 0);
        Mknod.mknod(root.resolve("data/null"), Mknod.S_IFCHR, 0666, 1, 3);
        Xattrs.set(root.resolve("data/owned"), "user.berth", "xattr value".getBytes(StandardCharsets.UTF_8));
        byte[] random = new byte[300_000];
        new java.util.Random(7).nextBytes(random);
        Files.write(root.resolve("data/random.bin"), random);
        try (var s = Files.walk(root)) {
            for (Path p : s.toList()) {
                FileMeta.setTimes(p, FileTime.fromMillis(1_650_000_000_000L));
            }
        }
    }

    /** Berth writes two layers (the second with a deletion and a replaced directory). */
    Path berthImage() throws Exception {
        Path lower = tmp.resolve("v1");
        richTree(lower);
        Path upper = tmp.resolve("v2");
        Cmd.run(tmp, "cp", "-a", lower.toString(), upper.toString());
        Files.delete(upper.resolve("etc/passwd"));
        Files.writeString(upper.resolve("etc/hostname"), "berth\n");
        Cmd.run(tmp, "rm", "-rf", upper.resolve("data/sub").toString());
        Files.createDirectories(upper.resolve("data/sub"));
        Files.writeString(upper.resolve("data/sub/new.txt"), "replaced dir\n");
        Path layoutDir = tmp.resolve("berth-layout");
        OciLayout layout = OciLayout.openOrCreate(layoutDir);
        ImageChanges cmd = new ImageChanges(Optional.empty(), Optional.of(List.of("/bin/tool")), List.of(),
                Optional.empty(), Optional.empty(), java.util.Map.of());
        ImageCreator.create(layout, "v1", new ImageCreator.Request(Optional.empty(), Optional.empty(), AMD64,
                Optional.of(new ImageCreator.LayerSource(lower, Optional.empty(), Compression.GZIP)), cmd,
                Optional.empty(), "test"));
        ImageCreator.create(layout, "v2", new ImageCreator.Request(Optional.of(layout.resolve("v1", AMD64)),
                Optional.empty(), AMD64,
                Optional.of(new ImageCreator.LayerSource(upper, Optional.of(lower), Compression.ZSTD)),
                ImageChanges.NONE, Optional.empty(), "test"));
        return layoutDir;
    }

    static Path berthUnpack(Path layoutDir, String tag, Path rootfs) {
        OciLayout layout = OciLayout.open(layoutDir);
        ResolvedImage img = layout.resolve(tag, AMD64);
        Unpacker.unpack(layout.blobs(), img.manifest(), img.config(), rootfs, UnpackOptions.defaults());
        return rootfs;
    }

    @Test
    void umociUnpacksWhatBerthWroteToTheSameTree() throws Exception {
        Path layout = berthImage();
        // umoci 0.4.7 knows gzip layers only; compare the gzip image v1 fully, and v2 (zstd) through Berth.
        Cmd.run(tmp, "umoci", "unpack", "--image", layout + ":v1", tmp.resolve("umoci-v1").toString());
        Path mine = berthUnpack(layout, "v1", tmp.resolve("berth-v1/rootfs"));
        List<String> diff = TreeDiff.compare(tmp.resolve("umoci-v1/rootfs"), mine, true);
        assertThat(diff).isEmpty();
        // The source tree itself matches too (what went in came out).
        assertThat(TreeDiff.compare(tmp.resolve("v1"), mine, true)).isEmpty();

        Path v2 = berthUnpack(layout, "v2", tmp.resolve("berth-v2/rootfs"));
        assertThat(TreeDiff.compare(tmp.resolve("v2"), v2, true)).isEmpty();
        assertThat(v2.resolve("etc/passwd")).doesNotExist();
        assertThat(v2.resolve("data/sub/deep.txt")).doesNotExist();
    }

    @Test
    void berthUnpacksWhatUmociWroteToTheSameTree() throws Exception {
        Path layout = tmp.resolve("umoci-layout");
        Cmd.run(tmp, "umoci", "init", "--layout", layout.toString());
        Cmd.run(tmp, "umoci", "new", "--image", layout + ":t");
        Path bundle = tmp.resolve("ub");
        Cmd.run(tmp, "umoci", "unpack", "--image", layout + ":t", bundle.toString());
        richTree(bundle.resolve("rootfs"));
        Cmd.run(tmp, "umoci", "repack", "--image", layout + ":t", bundle.toString());
        // Second layer: delete a file, replace a directory (umoci writes the whiteouts).
        Files.delete(bundle.resolve("rootfs/etc/passwd"));
        Cmd.run(tmp, "rm", "-rf", bundle.resolve("rootfs/data/sub").toString());
        Files.createDirectories(bundle.resolve("rootfs/data/sub"));
        Files.writeString(bundle.resolve("rootfs/data/sub/new.txt"), "new\n");
        Cmd.run(tmp, "umoci", "repack", "--image", layout + ":t", bundle.toString());

        Cmd.run(tmp, "umoci", "unpack", "--image", layout + ":t", tmp.resolve("ub2").toString());
        Path mine = berthUnpack(layout, "t", tmp.resolve("bb/rootfs"));
        assertThat(TreeDiff.compare(tmp.resolve("ub2/rootfs"), mine, true)).isEmpty();
        assertThat(mine.resolve("etc/passwd")).doesNotExist();
        assertThat(mine.resolve("data/sub/new.txt")).exists();

        // skopeo copies umoci's layout; Berth unpacks the copy the same way.
        Path copy = tmp.resolve("skopeo-copy");
        Cmd.run(tmp, "skopeo", "copy", "oci:" + layout + ":t", "oci:" + copy + ":t");
        Path fromCopy = berthUnpack(copy, "t", tmp.resolve("bc/rootfs"));
        assertThat(TreeDiff.compare(tmp.resolve("ub2/rootfs"), fromCopy, true)).isEmpty();
    }

    @Test
    void skopeoCopiesABerthLayoutAndBackWithDigestsUnchanged() throws Exception {
        Path layout = berthImage();
        Descriptor v1 = OciLayout.open(layout).resolveTag("v1").orElseThrow();
        Descriptor v2 = OciLayout.open(layout).resolveTag("v2").orElseThrow();
        Path there = tmp.resolve("there");
        Path back = tmp.resolve("back");
        for (String tag : List.of("v1", "v2")) {
            Cmd.run(tmp, "skopeo", "copy", "oci:" + layout + ":" + tag, "oci:" + there + ":" + tag);
            Cmd.run(tmp, "skopeo", "copy", "oci:" + there + ":" + tag, "oci:" + back + ":" + tag);
        }
        for (Path p : List.of(there, back)) {
            OciLayout l = OciLayout.open(p);
            assertThat(l.resolveTag("v1").orElseThrow().digest()).isEqualTo(v1.digest());
            assertThat(l.resolveTag("v2").orElseThrow().digest()).isEqualTo(v2.digest());
            // Every blob of the original is there byte for byte (same digests).
            ResolvedImage img = l.resolve("v2", AMD64);
            for (Descriptor layer : img.manifest().layers()) {
                assertThat(l.blobs().has(layer.digest())).isTrue();
            }
        }
        Index idx = OciLayout.open(back).index();
        assertThat(idx.manifests()).hasSize(2);
        // And Berth reads skopeo's copy back into the same tree as the original.
        assertThat(TreeDiff.compare(berthUnpack(layout, "v2", tmp.resolve("o/rootfs")),
                berthUnpack(back, "v2", tmp.resolve("c/rootfs")), true)).isEmpty();
    }
}
