package io.berth.registry;

/**
 * The error codes of distribution-spec "Error Codes" (code-1 … code-14). Each has the HTTP status a
 * registry answers with when nothing more specific applies; {@link RegistryException.Status} names the
 * few places where the spec asks for another one (416, 413).
 */
public enum ErrorCode {
    /** code-1: blob unknown to registry. */
    BLOB_UNKNOWN("blob unknown to registry"),
    /** code-2: blob upload invalid. */
    BLOB_UPLOAD_INVALID("blob upload invalid"),
    /** code-3: blob upload unknown to registry. */
    BLOB_UPLOAD_UNKNOWN("blob upload unknown to registry"),
    /** code-4: provided digest did not match uploaded content. */
    DIGEST_INVALID("provided digest did not match uploaded content"),
    /** code-5: manifest references a manifest or blob unknown to registry. */
    MANIFEST_BLOB_UNKNOWN("manifest references a manifest or blob unknown to registry"),
    /** code-6: manifest invalid. */
    MANIFEST_INVALID("manifest invalid"),
    /** code-7: manifest unknown to registry. */
    MANIFEST_UNKNOWN("manifest unknown to registry"),
    /** code-8: invalid repository name. */
    NAME_INVALID("invalid repository name"),
    /** code-9: repository name not known to registry. */
    NAME_UNKNOWN("repository name not known to registry"),
    /** code-10: provided length did not match content length. */
    SIZE_INVALID("provided length did not match content length"),
    /** code-11: authentication required. */
    UNAUTHORIZED("authentication required"),
    /** code-12: requested access to the resource is denied. */
    DENIED("requested access to the resource is denied"),
    /** code-13: the operation is unsupported. */
    UNSUPPORTED("the operation is unsupported"),
    /** code-14: too many requests. */
    TOOMANYREQUESTS("too many requests");

    private final String description;

    ErrorCode(String description) {
        this.description = description;
    }

    /** The description column of the spec's table. */
    public String description() {
        return description;
    }
}
