package io.berth.image.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.image.fs.Xattrs;
import io.berth.image.testing.Cmd;
import io.berth.image.testing.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layer tar reader against archives GNU tar (the real tool) writes, in each of its formats. */
class TarReaderTest {
    @TempDir
    Path tmp;

    /** A binary VFS_CAP_REVISION_2 value granting cap_net_raw (bit 13): bytes that are not UTF-8. */
    static final byte[] CAP_NET_RAW = {0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0};

    static Map<String, TarEntry> read(byte[] tar, Map<String, byte[]> contents) throws Exception {
        Map<String, TarEntry> out = new LinkedHashMap<>();
        TarReader r = new TarReader(new ByteArrayInputStream(tar), 1 << 20);
        Optional<TarEntry> e;
        while ((e = r.next()).isPresent()) {
            out.put(e.get().name(), e.get());
            byte[] buf = new byte[(int) e.get().size()];
            int off = 0;
            int n;
            while (off < buf.length && (n = r.read(buf, off, buf.length - off)) > 0) {
                off += n;
            }
            contents.put(e.get().name(), buf);
        }
        return out;
    }

    Path tree() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        String longDir = "d".repeat(120);
        Files.createDirectories(src.resolve(longDir));
        Files.writeString(src.resolve(longDir).resolve("f".repeat(110)), "long name\n");
        Files.createSymbolicLink(src.resolve("sym"), Path.of("/" + "t".repeat(150)));
        Files.writeString(src.resolve("ping"), "binary");
        Xattrs.set(src.resolve("ping"), "security.capability", CAP_NET_RAW);
        Xattrs.set(src.resolve("ping"), "user.text", "plain".getBytes(StandardCharsets.UTF_8));
        Files.createLink(src.resolve("hard"), src.resolve("ping"));
        return src;
    }

    @Test
    void readsGnuTarPosixFormatWithBinaryXattrs() throws Exception {
        Path src = tree();
        Cmd.run(tmp, "tar", "--format=posix", "--xattrs", "--xattrs-include=*", "-C", src.toString(), "-cf",
                tmp.resolve("p.tar").toString(), ".");
        Map<String, byte[]> data = new LinkedHashMap<>();
        Map<String, TarEntry> e = read(Files.readAllBytes(tmp.resolve("p.tar")), data);
        String longFile = "./" + "d".repeat(120) + "/" + "f".repeat(110);
        assertThat(e).containsKey(longFile);
        assertThat(new String(data.get(longFile), StandardCharsets.UTF_8)).isEqualTo("long name\n");
        assertThat(e.get("./sym").type()).isEqualTo(TarEntry.Type.SYMLINK);
        assertThat(e.get("./sym").linkName()).isEqualTo("/" + "t".repeat(150));
        TarEntry ping = e.containsKey("./ping") && e.get("./ping").type() == TarEntry.Type.FILE ? e.get("./ping")
                : e.get("./hard");
        assertThat(ping.xattrs().get("security.capability")).isEqualTo(CAP_NET_RAW);
        assertThat(ping.xattrs().get("user.text")).isEqualTo("plain".getBytes(StandardCharsets.UTF_8));
        assertThat(e.values()).anyMatch(x -> x.type() == TarEntry.Type.HARDLINK);
    }

    @Test
    void readsGnuAndUstarFormats() throws Exception {
        Path src = tree();
        for (String format : new String[] {"gnu", "oldgnu"}) {
            Path t = tmp.resolve(format + ".tar");
            Cmd.run(tmp, "tar", "--format=" + format, "-C", src.toString(), "-cf", t.toString(), ".");
            Map<String, byte[]> data = new LinkedHashMap<>();
            Map<String, TarEntry> e = read(Files.readAllBytes(t), data);
            assertThat(e).as(format).containsKey("./" + "d".repeat(120) + "/" + "f".repeat(110));
            assertThat(e.get("./sym").linkName()).isEqualTo("/" + "t".repeat(150));
        }
        Path small = Files.createDirectories(tmp.resolve("small/x"));
        Files.writeString(small.resolve("y"), "y");
        Path t = tmp.resolve("ustar.tar");
        Cmd.run(tmp, "tar", "--format=ustar", "-C", tmp.resolve("small").toString(), "-cf", t.toString(), ".");
        assertThat(read(Files.readAllBytes(t), new LinkedHashMap<>())).containsKeys("./x/", "./x/y");
    }

    @Test
    void readsWhatOurOwnTestBuilderWrites() throws Exception {
        byte[] tar = new TarBuilder().file("a", "A").symlink("s", "a").hardlink("h", "a").fifo("p").chardev("c", 1, 3)
                .tar();
        Map<String, TarEntry> e = read(tar, new LinkedHashMap<>());
        assertThat(e.get("c").devMajor()).isEqualTo(1);
        assertThat(e.get("c").devMinor()).isEqualTo(3);
        assertThat(e.get("p").type()).isEqualTo(TarEntry.Type.FIFO);
        assertThat(e.get("h").linkName()).isEqualTo("a");
    }

    @Test
    void damagedHeadersAreRefused() throws Exception {
        byte[] tar = new TarBuilder().file("a", "A").tar();
        tar[10] ^= 0x55; // inside the name: the checksum no longer matches
        assertThatThrownBy(() -> read(tar, new LinkedHashMap<>())).isInstanceOf(TarFormatException.class)
                .hasMessageContaining("bad checksum");
        byte[] truncated = java.util.Arrays.copyOf(new TarBuilder().file("a", "x".repeat(2000)).tar(), 1024);
        assertThatThrownBy(() -> read(truncated, new LinkedHashMap<>())).hasMessageContaining("ends inside");
        try (InputStream in = new ByteArrayInputStream(new byte[0])) {
            assertThat(new TarReader(in, 10).next()).isEmpty();
        }
    }

    @Test
    void unpackSetsBinaryCapabilitiesExactly() throws Exception {
        Path src = tree();
        Cmd.run(tmp, "tar", "--format=posix", "--xattrs", "--xattrs-include=*", "-C", src.toString(), "-cf",
                tmp.resolve("p.tar").toString(), ".");
        byte[] tar = Files.readAllBytes(tmp.resolve("p.tar"));
        var img = io.berth.image.testing.TestImages.fromTars(tmp.resolve("layout"), tar);
        Path rootfs = tmp.resolve("b/rootfs");
        io.berth.image.unpack.Unpacker.unpack(io.berth.image.layout.OciLayout.open(tmp.resolve("layout")).blobs(),
                img.manifest(), img.config(), rootfs, io.berth.image.unpack.UnpackOptions.defaults());
        assertThat(Xattrs.get(rootfs.resolve("ping"), "security.capability")).contains(CAP_NET_RAW);
        assertThat(Xattrs.get(rootfs.resolve("hard"), "user.text")).contains("plain".getBytes(StandardCharsets.UTF_8));
        // Layer creation carries values that are valid UTF-8 byte for byte (this one: ASCII and NULs)...
        var store = io.berth.image.store.ContentStore.open(tmp.resolve("s"));
        var layer = io.berth.image.layer.LayerWriter.write(store, src, Optional.empty(),
                io.berth.spec.Compression.NONE, Optional.empty());
        Map<String, TarEntry> written = read(store.read(layer.blob().digest(), 1 << 20), new LinkedHashMap<>());
        assertThat(written.values()).anyMatch(x -> java.util.Arrays.equals(x.xattrs().get("security.capability"),
                CAP_NET_RAW));
        // ...and values that are not UTF-8 byte for byte too (cap_setuid: byte 0x80).
        byte[] setuid = {0x01, 0, 0, 0x02, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        Xattrs.set(src.resolve("ping"), "security.capability", setuid);
        var layer2 = io.berth.image.layer.LayerWriter.write(store, src, Optional.empty(),
                io.berth.spec.Compression.GZIP, Optional.empty());
        Map<String, TarEntry> written2 = read(io.berth.image.layer.LayerStreams.decompress(
                store.open(layer2.blob().digest()), io.berth.spec.Compression.GZIP).readAllBytes(), new LinkedHashMap<>());
        assertThat(written2.values()).anyMatch(x -> java.util.Arrays.equals(x.xattrs().get("security.capability"),
                setuid));
    }
}
