package io.berth.image;

/**
 * A failure of an image operation (store, layout, layer, unpack, conversion). The message names the
 * operation and the object, e.g. {@code unpack layer sha256:ab..: entry "../etc/passwd" escapes the rootfs}.
 */
public class ImageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
