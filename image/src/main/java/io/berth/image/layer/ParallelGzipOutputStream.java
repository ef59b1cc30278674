package io.berth.image.layer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip (RFC 1952) compressed on several cores, the way pigz does it: the input is cut into blocks
 * of {@value #BLOCK} bytes, each block is deflated on its own virtual thread with the previous 32 KiB
 * as preset dictionary (so the ratio stays that of one stream) and ends with a sync flush at a byte
 * boundary, and the raw deflate pieces are concatenated in input order into one gzip member. The
 * CRC-32 is computed over the whole input as it arrives.
 *
 * <p>Deterministic: the block size is fixed, so the bytes depend on the input and the level only,
 * never on the number of threads or their timing. The header carries no name and MTIME 0. Any
 * gzip reader reads it as an ordinary single-member file.
 */
final class ParallelGzipOutputStream extends OutputStream {
    static final int BLOCK = 1024 * 1024;
    private static final int DICT = 32 * 1024;
    /** ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255 (unknown): as java.util.zip writes it. */
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final OutputStream out;
    private final int level;
    private final int maxInFlight;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Deque<Future<byte[]>> inFlight = new ArrayDeque<>();
    private final CRC32 crc = new CRC32();
    private byte[] block = new byte[BLOCK];
    private int filled;
    private byte[] dictionary = new byte[0];
    private long total;
    private boolean closed;

    ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
        this.out = out;
        this.level = level;
        this.maxInFlight = Math.max(2, threads * 2);
        out.write(HEADER);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("gzip stream closed");
        }
        crc.update(b, off, len);
        total += len;
        while (len > 0) {
            int n = Math.min(len, BLOCK - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == BLOCK) {
                submit(false);
            }
        }
    }

    /** Hands the current block to a worker; writes finished blocks out, in order, to bound memory. */
    private void submit(boolean last) throws IOException {
        byte[] input = block;
        int length = filled;
        byte[] dict = dictionary;
        inFlight.add(workers.submit(() -> deflate(input, length, dict, last)));
        dictionary = Arrays.copyOfRange(input, Math.max(0, length - DICT), length);
        block = new byte[BLOCK];
        filled = 0;
        while (inFlight.size() >= maxInFlight) {
            drainOne();
        }
    }

    private byte[] deflate(byte[] input, int length, byte[] dict, boolean last) {
        Deflater d = new Deflater(level, true);
        try {
            if (dict.length > 0) {
                d.setDictionary(dict);
            }
            d.setInput(input, 0, length);
            if (last) {
                d.finish();
            }
            byte[] buf = new byte[Math.max(1024, length / 2 + 64)];
            int n = 0;
            while (true) {
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                int space = buf.length - n;
                // Deflater: for SYNC_FLUSH "if the return value is len, the space available in output
                // buffer b, this method should be invoked again with the same flush parameter"
                int got = d.deflate(buf, n, space, last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH);
                n += got;
                if (last ? d.finished() : got < space) {
                    return Arrays.copyOf(buf, n);
                }
            }
        } finally {
            d.end();
        }
    }

    private void drainOne() throws IOException {
        Future<byte[]> f = inFlight.removeFirst();
        try {
            out.write(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("gzip: interrupted");
        } catch (ExecutionException e) {
            throw new IOException("gzip: deflate failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Deflates the last block (final), writes the trailer, and closes {@code out}. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (workers; out) {
            submit(true);
            while (!inFlight.isEmpty()) {
                drainOne();
            }
            byte[] trailer = new byte[8];
            int c = (int) crc.getValue();
            int size = (int) total; // ISIZE: the input size modulo 2^32
            for (int i = 0; i < 4; i++) {
                trailer[i] = (byte) (c >>> (8 * i));
                trailer[4 + i] = (byte) (size >>> (8 * i));
            }
            out.write(trailer);
        } finally {
            inFlight.forEach(f -> f.cancel(true));
        }
    }
}
