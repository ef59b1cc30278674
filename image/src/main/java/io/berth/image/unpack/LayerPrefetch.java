package io.berth.image.unpack;

import io.berth.image.ImageException;
import io.berth.image.io.BulkInputStream;
import io.berth.image.io.ChunkPipe;
import io.berth.image.layer.LayerStreams;
import io.berth.image.store.BlobSource;
import io.berth.spec.Compression;
import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads, verifies and decompresses one layer on its own (virtual) thread, ahead of the in-order
 * apply: blob bytes → digest check (descriptor.md "Verification") → decompress → diffID check
 * (config.md "rootfs.diff_ids") → a bounded queue of chunks that {@link #stream()} hands to the applier.
 * A failed check reaches the applier as an exception at the end of the stream, so nothing is applied
 * as done from bytes that did not verify.
 */
final class LayerPrefetch implements Runnable {
    private static final int CHUNK = 256 * 1024;

    private final BlobSource blobs;
    private final Descriptor layer;
    private final Compression compression;
    private final Digest diffId;
    private final AtomicLong budget;
    private final long limit;
    private final ChunkPipe pipe;

    LayerPrefetch(BlobSource blobs, Descriptor layer, Compression compression, Digest diffId, AtomicLong budget,
            long limit, int prefetchBytes) {
        this.blobs = blobs;
        this.layer = layer;
        this.compression = compression;
        this.diffId = diffId;
        this.budget = budget;
        this.limit = limit;
        this.pipe = new ChunkPipe(prefetchBytes / CHUNK);
    }

    @Override
    public void run() {
        try (InputStream raw = blobs.open(layer)) {
            MessageDigest blobHash = layer.digest().newBulkHasher();
            long[] blobBytes = {0};
            InputStream counted = new BulkInputStream() {

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = raw.read(b, off, len);
                    if (n > 0) {
                        blobBytes[0] += n;
                        if (blobBytes[0] > layer.size()) {
                            throw new ImageException("layer " + layer.digest() + ": blob is larger than its descriptor's "
                                    + layer.size() + " bytes");
                        }
                        blobHash.update(b, off, n);
                    }
                    return n;
                }
            };
            MessageDigest tarHash = diffId.newBulkHasher();
            try (InputStream tar = LayerStreams.decompress(counted, compression)) {
                while (!pipe.cancelled()) {
                    byte[] chunk = tar.readNBytes(CHUNK);
                    if (chunk.length == 0) {
                        break;
                    }
                    if (budget.addAndGet(chunk.length) > limit) {
                        throw new ImageException("layer " + layer.digest() + ": uncompressed data exceeds the limit of "
                                + limit + " bytes (decompression bomb?)");
                    }
                    tarHash.update(chunk);
                    pipe.put(chunk);
                }
            }
            if (pipe.cancelled()) {
                return;
            }
            // Drain what the decompressor did not need (padding), so the digest covers the whole blob.
            counted.transferTo(OutputStream.nullOutputStream());
            if (blobBytes[0] != layer.size()) {
                throw new ImageException("layer " + layer.digest() + ": blob has " + blobBytes[0]
                        + " bytes, its descriptor says " + layer.size());
            }
            if (!layer.digest().matches(blobHash.digest())) {
                throw new ImageException("layer " + layer.digest() + ": content does not match the digest");
            }
            if (!diffId.matches(tarHash.digest())) {
                throw new ImageException("layer " + layer.digest() + ": uncompressed content does not match diffID "
                        + diffId);
            }
        } catch (Throwable t) {
            pipe.fail(t instanceof IOException io
                    ? new IOException("layer " + layer.digest() + ": " + io.getMessage(), io) : t);
        } finally {
            pipe.end();
        }
    }

    /** Stops the producer (after a failure elsewhere); it drops what it has. */
    void cancel() {
        pipe.cancel();
    }

    /** The verified uncompressed tar stream; throws at its end when verification failed. */
    InputStream stream() {
        return pipe.source();
    }

    /** Consumes the stream to its end (trailing bytes after the tar's end-of-archive blocks). */
    static void drain(InputStream in) throws IOException {
        in.transferTo(OutputStream.nullOutputStream());
    }
}
