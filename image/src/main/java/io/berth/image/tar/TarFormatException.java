package io.berth.image.tar;

import io.berth.image.ImageException;

/** A tar stream that is not well formed; the message names the entry and the problem. */
public class TarFormatException extends ImageException {
    private static final long serialVersionUID = 1L;

    public TarFormatException(String message) {
        super(message);
    }
}
