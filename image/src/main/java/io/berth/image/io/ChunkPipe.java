package io.berth.image.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A bounded hand-over of byte chunks from one thread to another: what is written to {@link #sink()}
 * is read from {@link #source()}. The writer blocks when {@code capacity} chunks wait; a failure on the
 * writing side ({@link #fail}) reaches the reader as an exception at the end of the data, and the
 * reader can {@link #cancel} to release a blocked writer. Used to run decompression ahead of the
 * unpack's apply, and compression beside the layer writer's tar stream.
 */
public final class ChunkPipe {
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> queue;
    private volatile Throwable failure;
    private volatile boolean cancelled;

    public ChunkPipe(int capacity) {
        this.queue = new ArrayBlockingQueue<>(Math.max(2, capacity));
    }

    /** Records why the data is incomplete; the reader throws it after the last chunk. */
    public void fail(Throwable t) {
        failure = t;
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** The reader gives up: pending chunks are dropped and the writer stops blocking. */
    public void cancel() {
        cancelled = true;
        queue.clear();
    }

    /** Puts a chunk the pipe now owns (the caller must not reuse the array). */
    public void put(byte[] chunk) throws IOException {
        if (cancelled) {
            return;
        }
        try {
            queue.put(chunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("chunk pipe interrupted");
        }
    }

    /** Ends the data (after a {@link #fail}, the reader throws). Never blocks forever: see cancel. */
    public void end() {
        try {
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The writing end; close() ends the data. Writes are copied into chunks. */
    public OutputStream sink() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                put(new byte[] {(byte) b});
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len > 0) {
                    put(Arrays.copyOfRange(b, off, off + len));
                }
            }

            @Override
            public void close() {
                end();
            }
        };
    }

    /** The reading end. */
    public InputStream source() {
        return new BulkInputStream() {
            private byte[] cur = new byte[0];
            private int pos;
            private boolean ended;

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
                        throw new InterruptedIOException("chunk pipe interrupted");
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

    private void rethrow() throws IOException {
        Throwable f = failure;
        switch (f) {
            case null -> { }
            case IOException io -> throw io;
            case RuntimeException re -> throw re;
            case Error er -> throw er;
            default -> throw new IOException(f);
        }
    }
}
