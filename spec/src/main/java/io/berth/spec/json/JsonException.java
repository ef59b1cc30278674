package io.berth.spec.json;

/**
 * Malformed or invalid JSON. The message names the document, the field path and the problem,
 * e.g. {@code manifest.layers[2].digest: invalid digest "sha256:xyz"}.
 */
public class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JsonException(String message) {
        super(message);
    }

    public JsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
