package io.berth.image.layer;

import com.github.luben.zstd.ZstdInputStream;
import io.berth.spec.Compression;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Decompression of layer blobs (layer.md media types), with sniffing for mislabelled layers. */
public final class LayerStreams {
    private LayerStreams() {}

    /** Wraps {@code in} to decompress it as {@code c}. */
    public static InputStream decompress(InputStream in, Compression c) throws IOException {
        return switch (c) {
            case NONE -> in;
            case GZIP -> new GZIPInputStream(in, LayerWriter.BUFFER);
            case ZSTD -> new ZstdInputStream(in);
        };
    }

    /** The compression a stream's first bytes show (gzip 1f 8b, zstd 28 b5 2f fd); marks and resets. */
    public static Compression sniff(BufferedInputStream in) throws IOException {
        in.mark(4);
        byte[] m = in.readNBytes(4);
        in.reset();
        if (m.length >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) {
            return Compression.GZIP;
        }
        if (m.length == 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f
                && (m[3] & 0xff) == 0xfd) {
            return Compression.ZSTD;
        }
        return Compression.NONE;
    }
}
