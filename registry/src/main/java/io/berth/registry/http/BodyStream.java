package io.berth.registry.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request body as a blocking {@link InputStream} for the virtual thread handling the request. The
 * channel does not read on its own (auto-read is off). The event loop reads ahead while less than
 * {@link #HIGH_WATER} bytes wait in the queue and stops above it; the reader resumes it once the queue
 * is below {@link #LOW_WATER} (and, as a fallback, whenever it finds the queue empty). So a slow disk
 * slows the client instead of filling memory, and a fast one never waits for a socket read to be asked
 * for: reading only when the queue was empty made every ~64 KiB a round trip between the two threads,
 * a quarter of the server's CPU in context switches during a skopeo push (docs/benchmarks.md "Registry").
 */
final class BodyStream extends InputStream {
    static final int HIGH_WATER = 1 << 20;
    static final int LOW_WATER = 256 << 10;
    private static final Object END = new Object();
    private static final Object CLOSED = new Object();

    private final ChannelHandlerContext ctx;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private volatile boolean paused;
    private ByteBuf current;
    private boolean ended;
    private boolean closed;

    BodyStream(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Called on the event loop with each piece of the body; takes ownership of {@code content}. */
    void offer(HttpContent content) {
        long q = queued.get();
        if (content.content().isReadable()) {
            q = queued.addAndGet(content.content().readableBytes());
            queue.add(content.content());
        } else {
            content.release();
        }
        if (content instanceof LastHttpContent) {
            queue.add(END);
        } else if (q < HIGH_WATER) {
            ctx.read(); // read ahead (on the event loop: Netty reads again once this read completes)
        } else {
            paused = true;
        }
    }

    /** Called on the event loop when the connection closes. */
    void connectionClosed() {
        queue.add(CLOSED);
    }

    /** Whether the whole body has been received (not necessarily consumed). */
    boolean fullyReceived() {
        return ended || queue.contains(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!advance()) {
            return -1;
        }
        int n = Math.min(len, current.readableBytes());
        current.readBytes(b, off, n);
        return n;
    }

    /** Makes {@link #current} a buffer with bytes to read, waiting for one; false at the end of the body. */
    private boolean advance() throws IOException {
        while (current == null || !current.isReadable()) {
            if (current != null) {
                current.release();
                current = null;
            }
            if (ended) {
                return false;
            }
            if (closed) {
                throw new IOException("connection closed before the request body ended");
            }
            Object next = queue.poll();
            if (next == null) {
                ctx.read();
                try {
                    next = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted reading the request body", e);
                }
            }
            if (next == END) {
                ended = true;
            } else if (next == CLOSED) {
                closed = true;
            } else {
                current = (ByteBuf) next;
                long q = queued.addAndGet(-current.readableBytes());
                if (paused && q < LOW_WATER) {
                    paused = false;
                    ctx.read(); // resume the reading the event loop stopped at the high-water mark
                }
            }
        }
        return true;
    }

    /**
     * Reads and discards the rest of the body if at most {@code limit} bytes remain to be read; returns
     * whether the body ended (so the connection can carry the next request). Skips buffers rather than
     * copying them: nothing is allocated for the usual empty body.
     */
    boolean drain(long limit) {
        if (!fullyReceived() && limit <= 0) {
            return false;
        }
        long left = limit;
        try {
            while (advance()) {
                left -= current.readableBytes();
                current.skipBytes(current.readableBytes());
                if (left < 0 && !fullyReceived()) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (current != null) {
            current.release();
            current = null;
        }
        Object o;
        while ((o = queue.poll()) != null) {
            if (o instanceof ByteBuf bb) {
                bb.release();
            } else if (o == END) {
                ended = true;
            }
        }
    }
}
