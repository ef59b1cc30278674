package io.berth.spec;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest, {@code algorithm ":" encoded} (image-spec descriptor.md, "Digests").
 *
 * <pre>
 * digest                ::= algorithm ":" encoded
 * algorithm             ::= algorithm-component (algorithm-separator algorithm-component)*
 * algorithm-component   ::= [a-z0-9]+
 * algorithm-separator   ::= [+._-]
 * encoded               ::= [a-zA-Z0-9=_-]+
 * </pre>
 *
 * Registered algorithms are checked further: sha256 is 64 and sha512 is 128 lowercase hex characters
 * ("Registered algorithms"). Unregistered algorithms pass validation if they follow the grammar
 * ("Implementations SHOULD allow digests with unrecognized algorithms to pass validation"), but
 * cannot be computed: {@link #newHasher()} refuses them.
 */
public record Digest(String algorithm, String encoded) implements Comparable<Digest> {
    public static final String SHA256 = "sha256";
    public static final String SHA512 = "sha512";
    /** Registered (descriptor.md "BLAKE3"), checked for its form, not computable here. */
    public static final String BLAKE3 = "blake3";

    private static final Pattern ALGORITHM = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*");
    private static final Pattern ENCODED = Pattern.compile("[a-zA-Z0-9=_-]+");
    private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern HEX128 = Pattern.compile("[a-f0-9]{128}");
    private static final HexFormat HEX = HexFormat.of();

    public Digest {
        if (algorithm == null || !ALGORITHM.matcher(algorithm).matches()) {
            throw new InvalidDigestException("invalid digest algorithm \"" + algorithm + "\"");
        }
        if (encoded == null || !ENCODED.matcher(encoded).matches()) {
            throw new InvalidDigestException("invalid digest \"" + algorithm + ":" + encoded
                    + "\": encoded part must match [a-zA-Z0-9=_-]+");
        }
        if (algorithm.equals(SHA256) && !HEX64.matcher(encoded).matches()) {
            throw new InvalidDigestException("invalid digest \"" + algorithm + ":" + encoded
                    + "\": sha256 needs 64 lowercase hex characters");
        }
        if (algorithm.equals(BLAKE3) && !HEX64.matcher(encoded).matches()) {
            throw new InvalidDigestException("invalid digest \"" + algorithm + ":" + encoded
                    + "\": blake3 needs 64 lowercase hex characters");
        }
        if (algorithm.equals(SHA512) && !HEX128.matcher(encoded).matches()) {
            throw new InvalidDigestException("invalid digest \"" + algorithm + ":" + encoded
                    + "\": sha512 needs 128 lowercase hex characters");
        }
    }

    /** Parses {@code alg:encoded}, failing with {@link InvalidDigestException} naming the input. */
    public static Digest parse(String s) {
        if (s == null) {
            throw new InvalidDigestException("digest is missing");
        }
        int colon = s.indexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new InvalidDigestException("invalid digest \"" + s + "\": expected <algorithm>:<encoded>");
        }
        return new Digest(s.substring(0, colon), s.substring(colon + 1));
    }

    /** The sha256 digest of {@code bytes}. */
    public static Digest sha256(byte[] bytes) {
        return of(SHA256, bytes);
    }

    /** Computes the digest of {@code bytes} with a registered algorithm. */
    public static Digest of(String algorithm, byte[] bytes) {
        MessageDigest md = hasher(algorithm);
        return new Digest(algorithm, HEX.formatHex(md.digest(bytes)));
    }

    /** Wraps a finished hash. */
    public static Digest fromHash(String algorithm, byte[] hash) {
        return new Digest(algorithm, HEX.formatHex(hash));
    }

    /** Whether we can compute this digest's algorithm. */
    public boolean isComputable() {
        return algorithm.equals(SHA256) || algorithm.equals(SHA512);
    }

    /** A fresh hasher for this digest's algorithm. */
    public MessageDigest newHasher() {
        return hasher(algorithm);
    }

    /** A fresh hasher for a registered algorithm. */
    public static MessageDigest hasher(String algorithm) {
        String jca = switch (algorithm) {
            case SHA256 -> "SHA-256";
            case SHA512 -> "SHA-512";
            default -> throw new InvalidDigestException("unsupported digest algorithm \"" + algorithm + "\"");
        };
        try {
            return MessageDigest.getInstance(jca);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jca + " missing from the JDK", e);
        }
    }

    /**
     * A fresh hasher for streamed blob content (layers, uploads): libcrypto's SHA-256 when it loads,
     * which is fast without C2 (see {@link LibcryptoSha256}); otherwise the JDK's. Small documents use
     * {@link #hasher}: the first native call costs more than hashing a manifest.
     */
    public static MessageDigest bulkHasher(String algorithm) {
        if (algorithm.equals(SHA256)) {
            MessageDigest md = LibcryptoSha256.create();
            if (md != null) {
                return md;
            }
        }
        return hasher(algorithm);
    }

    /** {@link #bulkHasher} for this digest's algorithm. */
    public MessageDigest newBulkHasher() {
        return bulkHasher(algorithm);
    }

    /** Whether the finished hash equals this digest. */
    public boolean matches(byte[] hash) {
        return encoded.equals(HEX.formatHex(hash));
    }

    @Override
    public int compareTo(Digest o) {
        return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
        return algorithm + ":" + encoded;
    }

    /**
     * Written out rather than the record's generated one: that links through ObjectMethods' bootstrap and
     * spins a dozen method-handle classes at first use, ~10 ms of a cold copy (docs/benchmarks.md).
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Digest d && algorithm.equals(d.algorithm) && encoded.equals(d.encoded);
    }

    @Override
    public int hashCode() {
        return 31 * algorithm.hashCode() + encoded.hashCode();
    }
}
