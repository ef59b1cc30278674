package io.berth.image.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.image.fs.Mknod;
import io.berth.image.fs.Xattrs;
import io.berth.image.store.ContentStore;
import io.berth.spec.Compression;
import io.berth.spec.Digest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerWriterTest {
    @TempDir
    Path tmp;
    ContentStore store;
    Path src;

    @BeforeEach
    void setUp() throws Exception {
        store = ContentStore.open(tmp.resolve("store"));
        src = Files.createDirectories(tmp.resolve("src"));
        Files.createDirectories(src.resolve("bin"));
        Files.writeString(src.resolve("bin/tool"), "#!/bin/sh\n");
        Files.setAttribute(src.resolve("bin/tool"), "unix:mode", 04755);
        Files.createDirectories(src.resolve("tmp"));
        Files.setAttribute(src.resolve("tmp"), "unix:mode", 01777);
        Files.writeString(src.resolve("owned"), "o");
        Files.setAttribute(src.resolve("owned"), "unix:uid", 1234);
        Files.setAttribute(src.resolve("owned"), "unix:gid", 5678);
        Files.createSymbolicLink(src.resolve("link"), Path.of("bin/tool"));
        Files.createLink(src.resolve("hard"), src.resolve("owned"));
        Mknod.mknod(src.resolve("pipe"), Mknod.S_IFIFO, 0600, 0, 0);
        Xattrs.set(src.resolve("owned"), "user.note", "hello".getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a layer blob back: name → entry. */
    Map<String, TarArchiveEntry> entries(LayerResult r) throws Exception {
        Map<String, TarArchiveEntry> out = new LinkedHashMap<>();
        Compression c = r.blob().mediaType().layerCompression().orElseThrow();
        try (InputStream in = LayerStreams.decompress(store.open(r.blob().digest()), c);
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                out.put(e.getName(), e);
            }
        }
        return out;
    }

    @Test
    void wholeDirectoryWithEveryKindOfEntry() throws Exception {
        LayerResult r = LayerWriter.write(store, src, Optional.empty(), Compression.GZIP, Optional.empty());
        Map<String, TarArchiveEntry> e = entries(r);
        // Sorted by byte order, directories with a trailing slash, no leading ./ or /.
        assertThat(e.keySet()).containsExactly("bin/", "bin/tool", "hard", "link", "owned", "pipe", "tmp/");
        assertThat(e.get("bin/tool").getMode() & 07777).isEqualTo(04755);
        assertThat(e.get("tmp/").getMode() & 07777).isEqualTo(01777);
        assertThat(e.get("link").isSymbolicLink()).isTrue();
        assertThat(e.get("link").getLinkName()).isEqualTo("bin/tool");
        // The first path of an inode carries the content; the second links to it (layer.md "Hardlinks").
        assertThat(e.get("hard").isFile()).isTrue();
        assertThat(e.get("owned").isLink()).isTrue();
        assertThat(e.get("owned").getLinkName()).isEqualTo("hard");
        assertThat(e.get("hard").getLongUserId()).isEqualTo(1234);
        assertThat(e.get("hard").getLongGroupId()).isEqualTo(5678);
        assertThat(e.get("hard").getExtraPaxHeaders()).containsEntry("SCHILY.xattr.user.note", "hello");
        assertThat(e.get("pipe").isFIFO()).isTrue();
        assertThat(e.get("hard").getUserName()).isEmpty();
        assertThat(r.blob().digest()).isNotEqualTo(r.diffId());
        assertThat(store.has(r.blob().digest())).isTrue();
    }

    @Test
    void gzipZstdAndNoneCarryTheSameTar() throws Exception {
        Optional<Instant> sde = Optional.of(Instant.ofEpochSecond(1_700_000_000));
        LayerResult gz = LayerWriter.write(store, src, Optional.empty(), Compression.GZIP, sde);
        LayerResult zs = LayerWriter.write(store, src, Optional.empty(), Compression.ZSTD, sde);
        LayerResult none = LayerWriter.write(store, src, Optional.empty(), Compression.NONE, sde);
        assertThat(gz.diffId()).isEqualTo(zs.diffId()).isEqualTo(none.diffId());
        LayerResult zs2 = LayerWriter.write(store, src, Optional.empty(), Compression.ZSTD, sde);
        assertThat(zs2.blob().digest()).as("multi-threaded zstd is deterministic").isEqualTo(zs.blob().digest());
        // Uncompressed: the blob is the tar itself.
        assertThat(none.blob().digest()).isEqualTo(none.diffId());
        assertThat(zs.blob().mediaType().value()).isEqualTo("application/vnd.oci.image.layer.v1.tar+zstd");
        try (InputStream in = LayerStreams.decompress(store.open(zs.blob().digest()), Compression.ZSTD)) {
            assertThat(Digest.sha256(in.readAllBytes())).isEqualTo(zs.diffId());
        }
    }

    @Test
    void sourceDateEpochMakesLayersReproducible() throws Exception {
        Optional<Instant> sde = Optional.of(Instant.ofEpochSecond(1_600_000_000));
        LayerResult a = LayerWriter.write(store, src, Optional.empty(), Compression.GZIP, sde);
        Files.setLastModifiedTime(src.resolve("bin/tool"), FileTime.from(Instant.now()));
        Files.setAttribute(src.resolve("owned"), "lastAccessTime", FileTime.from(Instant.now()));
        LayerResult b = LayerWriter.write(store, src, Optional.empty(), Compression.GZIP, sde);
        assertThat(b.blob().digest()).isEqualTo(a.blob().digest());
        assertThat(entries(b).get("bin/tool").getModTime().toInstant()).isEqualTo(sde.get());
        // A content change does change the digest: the test can fail.
        Files.writeString(src.resolve("bin/tool"), "#!/bin/sh\nexit 1\n");
        LayerResult c = LayerWriter.write(store, src, Optional.empty(), Compression.GZIP, sde);
        assertThat(c.blob().digest()).isNotEqualTo(a.blob().digest());
    }

    @Test
    void diffWritesChangesAndWhiteouts() throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        for (Path p : new Path[] {lower, upper}) {
            Files.createDirectories(p.resolve("keep"));
            Files.writeString(p.resolve("keep/same"), "same");
            Files.setLastModifiedTime(p.resolve("keep/same"), FileTime.fromMillis(1_000_000_000_000L));
        }
        Files.writeString(lower.resolve("gone"), "bye");
        Files.writeString(lower.resolve("changed"), "old");
        Files.writeString(upper.resolve("changed"), "new!");
        Files.writeString(upper.resolve("added"), "hi");
        Files.createDirectories(lower.resolve("replaced"));
        Files.writeString(lower.resolve("replaced/a"), "a");
        Files.writeString(lower.resolve("replaced/b"), "b");
        Files.createDirectories(upper.resolve("replaced"));
        Files.writeString(upper.resolve("replaced/c"), "c");
        Files.writeString(lower.resolve("typechange"), "file");
        Files.createDirectories(upper.resolve("typechange"));
        Files.writeString(upper.resolve("typechange/in"), "in");

        LayerResult r = LayerWriter.write(store, upper, Optional.of(lower), Compression.GZIP, Optional.empty());
        Map<String, TarArchiveEntry> e = entries(r);
        assertThat(e).containsKeys("added", "changed", ".wh.gone", "replaced/.wh..wh..opq", "replaced/c",
                ".wh.typechange", "typechange/", "typechange/in");
        assertThat(e).doesNotContainKeys("keep/same", "gone", "replaced/a", "replaced/.wh.a");
    }
}
