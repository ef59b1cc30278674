package io.berth.image.io;

import java.io.IOException;
import java.io.InputStream;

/**
 * An InputStream whose subclasses implement only the bulk {@code read(byte[], int, int)}; the
 * single-byte read goes through it, so counting, hashing and limits see every byte either way.
 */
public abstract class BulkInputStream extends InputStream {
    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;
}
