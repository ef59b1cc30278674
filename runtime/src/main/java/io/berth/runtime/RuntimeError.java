package io.berth.runtime;

/** A runtime operation failed; the message names the operation and the object (DESIGN.md style 5). */
public class RuntimeError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RuntimeError(String message) {
        super(message);
    }

    public RuntimeError(String message, Throwable cause) {
        super(message, cause);
    }
}
