package io.berth.image.unpack;

import io.berth.image.ImageException;
import io.berth.image.layer.LayerStreams;
import io.berth.image.store.BlobSource;
import io.berth.spec.Compression;
import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
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
    private static final byte[] END = new byte[0];

    private final BlobSource blobs;
    private final Descriptor layer;
    private final Compression compression;
    private final Digest diffId;
    private final AtomicLong budget;
    private final long limit;
    private final BlockingQueue<byte[]> queue;
    private volatile Throwable failure;
    private volatile boolean cancelled;

    LayerPrefetch(BlobSource blobs, Descriptor layer, Compression compression, Digest diffId, AtomicLong budget,
            long limit, int prefetchBytes) {
        this.blobs = blobs;
        this.layer = layer;
        this.compression = compression;
        this.diffId = diffId;
        this.budget = budget;
        this.limit = limit;
        this.queue = new ArrayBlockingQueue<>(Math.max(2, prefetchBytes / CHUNK));
    }

    @Override
    public void run() {
        try (InputStream raw = blobs.open(layer)) {
            MessageDigest blobHash = layer.digest().newHasher();
            long[] blobBytes = {0};
            InputStream counted = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

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
            MessageDigest tarHash = diffId.newHasher();
            try (InputStream tar = LayerStreams.decompress(counted, compression)) {
                while (!cancelled) {
                    byte[] chunk = tar.readNBytes(CHUNK);
                    if (chunk.length == 0) {
                        break;
                    }
                    if (budget.addAndGet(chunk.length) > limit) {
                        throw new ImageException("layer " + layer.digest() + ": uncompressed data exceeds the limit of "
                                + limit + " bytes (decompression bomb?)");
                    }
                    tarHash.update(chunk);
                    queue.put(chunk);
                }
            }
            // Drain what the decompressor did not need (padding), so the digest covers the whole blob.
            if (cancelled) {
                return;
            }
            counted.transferTo(OutputStreamSink.INSTANCE);
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
            failure = t;
        } finally {
            try {
                queue.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the producer (after a failure elsewhere); it drops what it has. */
    void cancel() {
        cancelled = true;
        queue.clear();
    }

    /** The verified uncompressed tar stream; throws at its end when verification failed. */
    InputStream stream() {
        return new InputStream() {
            private byte[] cur = new byte[0];
            private int pos;
            private boolean ended;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (pos == cur.length) {
                    if (ended) {
                        return -1;
                    }
                    try {
                        cur = queue.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("unpack interrupted");
                    }
                    pos = 0;
                    if (cur == END) {
                        ended = true;
                        rethrow();
                        return -1;
                    }
                }
                int n = Math.min(len, cur.length - pos);
                System.arraycopy(cur, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    /** Blocks until the producer is done and rethrows its failure, if any. */
    void rethrow() throws IOException {
        Throwable f = failure;
        if (f == null) {
            return;
        }
        switch (f) {
            case IOException io -> throw new IOException("layer " + layer.digest() + ": " + io.getMessage(), io);
            case RuntimeException re -> throw re;
            case Error er -> throw er;
            default -> throw new IOException(f);
        }
    }

    /** Consumes the stream to its end (trailing bytes after the tar's end-of-archive blocks). */
    static void drain(InputStream in) throws IOException {
        in.transferTo(OutputStreamSink.INSTANCE);
    }

    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }
}
