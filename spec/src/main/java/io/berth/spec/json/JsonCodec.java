package io.berth.spec.json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads JSON bytes into a {@link Json} tree ({@link JsonReader}) and writes trees back as compact,
 * deterministic bytes or indented for humans ({@link JsonWriter}).
 *
 * <p>Reading is strict where strictness protects us (duplicate keys, trailing content, nesting depth,
 * string length) and never cares about members it does not know. Writing is deterministic: object
 * members in the order the tree gives them (records build them in a fixed order; maps are sorted).
 */
public final class JsonCodec {
    /** Deepest nesting accepted; real manifests and configs stay under 10. */
    public static final int MAX_DEPTH = 64;

    private JsonCodec() {}

    /** Parses one JSON document; {@code what} names it in errors ("manifest", "config.json"). */
    public static Json parse(byte[] bytes, String what) {
        try {
            return JsonReader.read(bytes);
        } catch (JsonException e) {
            throw new JsonException(what + ": malformed JSON: " + e.getMessage(), e);
        }
    }

    /** Parses one JSON document from a stream (read whole: documents are small and bounded by callers). */
    public static Json parse(InputStream in, String what) {
        try {
            return parse(in.readAllBytes(), what);
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": reading JSON", e);
        }
    }

    /** Parses a document that must be an object. */
    public static Fields parseObject(byte[] bytes, String what) {
        return Fields.of(parse(bytes, what), what);
    }

    /** Compact, deterministic encoding. */
    public static byte[] write(Json value) {
        return JsonWriter.write(value, false);
    }

    /** Encoding with two-space indentation and a final newline, for humans (inspect, state, config.json). */
    public static byte[] writePretty(Json value) {
        return JsonWriter.write(value, true);
    }

    /** Builds an object from a map with its keys sorted, as Go's encoding/json writes maps. */
    public static Json sortedStrings(Map<String, String> map) {
        Map<String, Json> sorted = new TreeMap<>();
        map.forEach((k, val) -> sorted.put(k, new Json.Str(val)));
        return new Json.Obj(sorted);
    }
}
