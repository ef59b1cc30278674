package io.berth.spec.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A typed, path-aware view of a JSON object, for decoding spec records. Every error names the path
 * of the offending member ({@code manifest.layers[1].size}) and what was wrong with it. Members that
 * are not asked for are ignored, as considerations.md requires of unknown fields.
 */
public final class Fields {
    private final Json.Obj obj;
    private final String path;

    private Fields(Json.Obj obj, String path) {
        this.obj = obj;
        this.path = path;
    }

    /** Views {@code value} as an object at {@code path}, or fails naming the path. */
    public static Fields of(Json value, String path) {
        if (value instanceof Json.Obj o) {
            return new Fields(o, path);
        }
        throw new JsonException(path + ": expected an object, found " + value.typeName());
    }

    public String path() {
        return path;
    }

    public Json.Obj json() {
        return obj;
    }

    public String at(String name) {
        return path + "." + name;
    }

    public boolean has(String name) {
        Json v = obj.members().get(name);
        return v != null && v != Json.Null.NULL;
    }

    private Optional<Json> value(String name) {
        Json v = obj.members().get(name);
        return v == null || v == Json.Null.NULL ? Optional.empty() : Optional.of(v);
    }

    public JsonException error(String name, String problem) {
        return new JsonException(at(name) + ": " + problem);
    }

    public Optional<String> optString(String name) {
        return value(name).map(v -> {
            if (v instanceof Json.Str s) {
                return s.value();
            }
            throw error(name, "expected a string, found " + v.typeName());
        });
    }

    public String string(String name) {
        return optString(name).orElseThrow(() -> error(name, "required field is missing"));
    }

    public String string(String name, String dflt) {
        return optString(name).orElse(dflt);
    }

    public Optional<BigDecimal> optNumber(String name) {
        return value(name).map(v -> {
            if (v instanceof Json.Num n) {
                return n.value();
            }
            throw error(name, "expected a number, found " + v.typeName());
        });
    }

    /** An integer within [min, max]. */
    public Optional<Long> optLong(String name, long min, long max) {
        return value(name).map(v -> {
            if (!(v instanceof Json.Num n)) {
                throw error(name, "expected a number, found " + v.typeName());
            }
            long l;
            try {
                l = n.longValueExact();
            } catch (ArithmeticException e) {
                throw error(name, "expected an integer, found " + n.text());
            }
            if (l < min || l > max) {
                throw error(name, "value " + l + " out of range [" + min + ", " + max + "]");
            }
            return l;
        });
    }

    public Optional<Long> optLong(String name) {
        return optLong(name, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    public long longValue(String name, long min, long max) {
        return optLong(name, min, max).orElseThrow(() -> error(name, "required field is missing"));
    }

    public Optional<Integer> optInt(String name) {
        return optLong(name, Integer.MIN_VALUE, Integer.MAX_VALUE).map(Long::intValue);
    }

    /** An unsigned 32-bit value such as a uid, gid or mode. */
    public Optional<Long> optUint32(String name) {
        return optLong(name, 0, 0xFFFF_FFFFL);
    }

    public Optional<Boolean> optBool(String name) {
        return value(name).map(v -> {
            if (v instanceof Json.Bool b) {
                return b.value();
            }
            throw error(name, "expected a boolean, found " + v.typeName());
        });
    }

    public boolean bool(String name, boolean dflt) {
        return optBool(name).orElse(dflt);
    }

    public Optional<Fields> optObject(String name) {
        return value(name).map(v -> Fields.of(v, at(name)));
    }

    public Fields object(String name) {
        return optObject(name).orElseThrow(() -> error(name, "required field is missing"));
    }

    /** The raw JSON value of a member, if present and not null. */
    public Optional<Json> raw(String name) {
        return value(name);
    }

    /** An array of objects, each decoded with {@code decode}; empty when absent. */
    public <T> List<T> objects(String name, Function<Fields, T> decode) {
        Optional<Json> v = value(name);
        if (v.isEmpty()) {
            return List.of();
        }
        if (!(v.get() instanceof Json.Arr a)) {
            throw error(name, "expected an array, found " + v.get().typeName());
        }
        List<T> out = new ArrayList<>(a.items().size());
        for (int i = 0; i < a.items().size(); i++) {
            out.add(decode.apply(Fields.of(a.items().get(i), at(name) + "[" + i + "]")));
        }
        return List.copyOf(out);
    }

    /** Whether the member is present as an array (even empty). */
    public boolean hasArray(String name) {
        return value(name).map(v -> v instanceof Json.Arr).orElse(false);
    }

    /** An array of strings; empty when absent. */
    public List<String> strings(String name) {
        return optStrings(name).orElse(List.of());
    }

    /** An array of strings, or empty when absent or null (to tell "absent" from "empty"). */
    public Optional<List<String>> optStrings(String name) {
        return value(name).map(v -> {
            if (!(v instanceof Json.Arr a)) {
                throw error(name, "expected an array of strings, found " + v.typeName());
            }
            List<String> out = new ArrayList<>(a.items().size());
            for (int i = 0; i < a.items().size(); i++) {
                if (!(a.items().get(i) instanceof Json.Str s)) {
                    throw new JsonException(at(name) + "[" + i + "]: expected a string, found "
                            + a.items().get(i).typeName());
                }
                out.add(s.value());
            }
            return List.copyOf(out);
        });
    }

    /** An object of string values (annotations, labels); empty when absent. Order kept. */
    public Map<String, String> stringMap(String name) {
        Optional<Json> v = value(name);
        if (v.isEmpty()) {
            return Map.of();
        }
        if (!(v.get() instanceof Json.Obj o)) {
            throw error(name, "expected an object of strings, found " + v.get().typeName());
        }
        Map<String, String> out = new LinkedHashMap<>();
        o.members().forEach((k, val) -> {
            if (!(val instanceof Json.Str s)) {
                throw new JsonException(at(name) + "." + k + ": expected a string, found " + val.typeName());
            }
            out.put(k, s.value());
        });
        return java.util.Collections.unmodifiableMap(out);
    }

    /** The member names of an object used as a set (ExposedPorts, Volumes); empty when absent. */
    public List<String> keys(String name) {
        return optObject(name).map(f -> List.copyOf(f.obj.members().keySet())).orElse(List.of());
    }
}
