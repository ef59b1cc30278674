package io.berth.image.fs;

import io.berth.image.ImageException;

/** A failed libc call: names the call, the path and errno, e.g. {@code lsetxattr /r/f: EPERM}. */
public class NativeFsException extends ImageException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public NativeFsException(String call, String path, int errno) {
        super(call + " " + path + ": " + Libc.errnoName(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
