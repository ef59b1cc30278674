package io.berth.spec;

/** A digest string that does not follow descriptor.md's grammar, or an algorithm we cannot compute. */
public class InvalidDigestException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidDigestException(String message) {
        super(message);
    }
}
