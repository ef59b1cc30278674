package io.berth.image.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.image.ImageException;
import io.berth.image.layout.OciLayout;
import io.berth.image.layout.ResolvedImage;
import io.berth.image.testing.TarBuilder;
import io.berth.image.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile layers are contained: nothing is written outside the rootfs, errors name the layer, the
 * entry and the problem, and a failed unpack leaves no rootfs behind.
 */
class HostileLayerTest {
    @TempDir
    Path tmp;
    Path outside;
    Path rootfs;

    @BeforeEach
    void setUp() throws Exception {
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("victim"), "original");
        rootfs = tmp.resolve("bundle/rootfs");
    }

    UnpackResult unpack(UnpackOptions options, byte[]... tars) {
        ResolvedImage img = TestImages.fromTars(tmp.resolve("layout"), tars);
        return Unpacker.unpack(OciLayout.open(tmp.resolve("layout")).blobs(), img.manifest(), img.config(), rootfs,
                options);
    }

    UnpackResult unpack(byte[]... tars) {
        return unpack(UnpackOptions.defaults(), tars);
    }

    void assertNothingLeftBehind() throws Exception {
        assertThat(rootfs).doesNotExist();
        try (var s = Files.list(rootfs.getParent())) {
            assertThat(s.toList()).as("no partial trees left").isEmpty();
        }
        assertThat(Files.readString(outside.resolve("victim"))).isEqualTo("original");
        try (var s = Files.list(outside)) {
            assertThat(s.toList()).hasSize(1);
        }
    }

    @Test
    void dotDotAboveTheRootIsRefused() throws Exception {
        byte[] tar = new TarBuilder().file("ok", "x").file("../../outside/victim", "pwned").tar();
        assertThatThrownBy(() -> unpack(tar)).isInstanceOf(ImageException.class)
                .hasMessageContaining("../../outside/victim").hasMessageContaining("escapes the rootfs");
        assertNothingLeftBehind();
    }

    @Test
    void absoluteNamesLandInsideTheRoot() throws Exception {
        byte[] tar = new TarBuilder().file("/etc/passwd", "root:x:0:0::/:/bin/sh\n").file("./a/../b", "b").tar();
        unpack(tar);
        assertThat(Files.readString(rootfs.resolve("etc/passwd"))).startsWith("root:");
        assertThat(rootfs.resolve("b")).exists();
    }

    @Test
    void symlinkToAnAbsoluteHostPathIsFollowedInsideTheRoot() throws Exception {
        // "evil -> <outside>" then "evil/victim": must land in rootfs/<outside path>/victim, not on the host.
        byte[] tar = new TarBuilder().symlink("evil", outside.toString()).file("evil/victim", "pwned").tar();
        unpack(tar);
        assertThat(Files.readString(outside.resolve("victim"))).isEqualTo("original");
        Path inRoot = rootfs.resolve(outside.toString().substring(1)).resolve("victim");
        assertThat(Files.readString(inRoot)).isEqualTo("pwned");
        assertThat(Files.isSymbolicLink(rootfs.resolve("evil"))).isTrue();
    }

    @Test
    void relativeSymlinkClimbingOutIsClampedAtTheRoot() throws Exception {
        byte[] tar = new TarBuilder().dir("a").symlink("a/up", "../../../../../../" + outside.toString().substring(1))
                .file("a/up/victim", "pwned").tar();
        unpack(tar);
        assertThat(Files.readString(outside.resolve("victim"))).isEqualTo("original");
        assertThat(Files.readString(rootfs.resolve(outside.toString().substring(1)).resolve("victim")))
                .isEqualTo("pwned");
    }

    @Test
    void symlinkInALowerLayerCannotRedirectALaterLayer() throws Exception {
        byte[] lower = new TarBuilder().symlink("etc", outside.toString()).tar();
        byte[] upper = new TarBuilder().file("etc/victim", "pwned").tar();
        unpack(lower, upper);
        assertThat(Files.readString(outside.resolve("victim"))).isEqualTo("original");
    }

    @Test
    void finalSymlinkIsReplacedNotWrittenThrough() throws Exception {
        byte[] tar = new TarBuilder().symlink("f", outside.resolve("victim").toString()).file("f", "pwned").tar();
        unpack(tar);
        assertThat(Files.readString(outside.resolve("victim"))).isEqualTo("original");
        assertThat(Files.isSymbolicLink(rootfs.resolve("f"))).isFalse();
        assertThat(Files.readString(rootfs.resolve("f"))).isEqualTo("pwned");
    }

    @Test
    void hardlinkToAHostFileIsRefused() throws Exception {
        byte[] tar = new TarBuilder().hardlink("h", "../../outside/victim").tar();
        assertThatThrownBy(() -> unpack(tar)).hasMessageContaining("hardlink target").hasMessageContaining("escapes");
        assertNothingLeftBehind();
    }

    @Test
    void hardlinkThroughASymlinkResolvesInsideTheRoot() throws Exception {
        byte[] tar = new TarBuilder().symlink("s", outside.toString()).hardlink("h", "s/victim").tar();
        assertThatThrownBy(() -> unpack(tar)).hasMessageContaining("hardlink target \"s/victim\" does not exist");
        assertNothingLeftBehind();
    }

    @Test
    void hardlinkToADirectoryIsRefused() throws Exception {
        byte[] tar = new TarBuilder().dir("d").hardlink("h", "d").tar();
        assertThatThrownBy(() -> unpack(tar)).hasMessageContaining("is a directory");
    }

    @Test
    void symlinkLoopsAreCut() throws Exception {
        byte[] tar = new TarBuilder().symlink("a", "b").symlink("b", "a").file("a/x", "x").tar();
        assertThatThrownBy(() -> unpack(tar)).hasMessageContaining("symlinks");
        assertNothingLeftBehind();
    }

    @Test
    void duplicateEntriesReplaceEarlierOnes() throws Exception {
        byte[] tar = new TarBuilder().file("x", "first").file("x", "second").dir("d").file("d/in", "i")
                .file("d", "now a file").dir("f").tar();
        byte[] tar2 = new TarBuilder().file("f", "dir became file").tar();
        unpack(tar, tar2);
        assertThat(Files.readString(rootfs.resolve("x"))).isEqualTo("second");
        assertThat(Files.readString(rootfs.resolve("d"))).isEqualTo("now a file");
        assertThat(Files.readString(rootfs.resolve("f"))).isEqualTo("dir became file");
    }

    @Test
    void decompressionBombHitsTheLimit() throws Exception {
        // 64 MiB of zeros gzip to ~64 KiB; the limit is 8 MiB.
        byte[] tar = new TarBuilder().zeros("bomb", 64L << 20).tar();
        assertThatThrownBy(() -> unpack(UnpackOptions.defaults().withMaxTotalBytes(8L << 20), tar))
                .hasMessageContaining("limit of 8388608 bytes");
        assertNothingLeftBehind();
    }

    @Test
    void tooManyEntriesHitTheLimit() throws Exception {
        TarBuilder b = new TarBuilder();
        for (int i = 0; i < 50; i++) {
            b.file("f" + i, "");
        }
        byte[] tar = b.tar();
        assertThatThrownBy(() -> unpack(UnpackOptions.defaults().withMaxEntries(10), tar))
                .hasMessageContaining("more than 10 entries");
        assertNothingLeftBehind();
    }

    @Test
    void tamperedLayerFailsVerificationAndLeavesNothing() throws Exception {
        byte[] tar = new TarBuilder().file("a", "content").tar();
        ResolvedImage img = TestImages.fromTars(tmp.resolve("layout"), tar);
        Path blob = tmp.resolve("layout/blobs/sha256").resolve(img.manifest().layers().getFirst().digest().encoded());
        byte[] other = TarBuilder.gzip(new TarBuilder().file("a", "CONTENT").tar());
        Files.write(blob, other);
        assertThatThrownBy(() -> Unpacker.unpack(OciLayout.open(tmp.resolve("layout")).blobs(), img.manifest(),
                img.config(), rootfs, UnpackOptions.defaults())).hasMessageContaining("layer")
                .hasMessageMatching("(?s).*(does not match|descriptor says).*");
        assertNothingLeftBehind();
    }

    @Test
    void existingRootfsIsNotClobberedWithoutAsking() throws Exception {
        Files.createDirectories(rootfs);
        Files.writeString(rootfs.resolve("keep"), "keep");
        byte[] tar = new TarBuilder().file("a", "a").tar();
        assertThatThrownBy(() -> unpack(tar)).hasMessageContaining("not empty");
        assertThat(Files.readString(rootfs.resolve("keep"))).isEqualTo("keep");
        unpack(UnpackOptions.defaults().withReplaceExisting(true), tar);
        assertThat(rootfs.resolve("keep")).doesNotExist();
        assertThat(rootfs.resolve("a")).exists();
        assertThat(Files.exists(rootfs, LinkOption.NOFOLLOW_LINKS)).isTrue();
    }
}
