package io.berth.spec.json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a {@link Json.Obj} in a fixed member order, leaving out empty optional members the way Go's
 * {@code omitempty} does, so that what we write matches what the Go tools write.
 */
public final class ObjBuilder {
    private final Map<String, Json> members = new LinkedHashMap<>();

    public ObjBuilder put(String name, Json value) {
        members.put(name, value);
        return this;
    }

    public ObjBuilder put(String name, String value) {
        return put(name, new Json.Str(value));
    }

    public ObjBuilder put(String name, long value) {
        return put(name, Json.Num.of(value));
    }

    public ObjBuilder put(String name, boolean value) {
        return put(name, new Json.Bool(value));
    }

    public ObjBuilder opt(String name, Optional<?> value) {
        value.ifPresent(v -> put(name, toJson(v)));
        return this;
    }

    public ObjBuilder nonEmpty(String name, String value) {
        if (value != null && !value.isEmpty()) {
            put(name, value);
        }
        return this;
    }

    public ObjBuilder nonEmpty(String name, List<String> values) {
        if (!values.isEmpty()) {
            put(name, Json.strings(values));
        }
        return this;
    }

    /** Writes a string map sorted by key, when not empty. */
    public ObjBuilder nonEmpty(String name, Map<String, String> map) {
        if (!map.isEmpty()) {
            put(name, JsonCodec.sortedStrings(map));
        }
        return this;
    }

    /** Writes an array of already-encoded values, when not empty. */
    public ObjBuilder nonEmptyArr(String name, List<? extends Json> values) {
        if (!values.isEmpty()) {
            put(name, Json.arr(values));
        }
        return this;
    }

    /** Writes a set of names as an object of empty objects (ExposedPorts, Volumes), sorted. */
    public ObjBuilder nonEmptySet(String name, List<String> keys) {
        if (!keys.isEmpty()) {
            Map<String, Json> m = new java.util.TreeMap<>();
            keys.forEach(k -> m.put(k, new Json.Obj(Map.of())));
            put(name, new Json.Obj(m));
        }
        return this;
    }

    private static Json toJson(Object v) { // no type switch: see JsonCodec.emit
        if (v instanceof Json j) {
            return j;
        } else if (v instanceof String s) {
            return new Json.Str(s);
        } else if (v instanceof Long l) {
            return Json.Num.of(l);
        } else if (v instanceof Integer i) {
            return Json.Num.of(i);
        } else if (v instanceof Boolean b) {
            return new Json.Bool(b);
        }
        throw new IllegalArgumentException("not a JSON value: " + v.getClass());
    }

    public Json.Obj build() {
        return new Json.Obj(members);
    }
}
