package io.berth.spec.json;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A JSON value tree. Spec records are decoded from and encoded to this tree; the bytes themselves
 * are parsed and written by {@link JsonCodec} with Jackson's streaming core (no databind).
 *
 * <p>Objects keep their members in document order so that fields we do not model (considerations.md:
 * "unknown fields MUST be ignored") survive a read-modify-write when a caller wants them to.
 */
public sealed interface Json {

    /** A JSON object; members in document order. */
    record Obj(Map<String, Json> members) implements Json {
        public Obj {
            members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
        }

        public Optional<Json> get(String name) {
            return Optional.ofNullable(members.get(name));
        }
    }

    /** A JSON array. */
    record Arr(List<Json> items) implements Json {
        public Arr {
            items = List.copyOf(items);
        }
    }

    /** A JSON string. */
    record Str(String value) implements Json {}

    /** A JSON number, kept as its exact decimal value. */
    record Num(BigDecimal value) implements Json {
        public static Num of(long v) {
            return new Num(BigDecimal.valueOf(v));
        }
    }

    /** A JSON boolean. */
    record Bool(boolean value) implements Json {}

    /** JSON null. */
    enum Null implements Json { NULL }

    /** A short name of the JSON type, for error messages. */
    default String typeName() {
        return switch (this) {
            case Obj _ -> "object";
            case Arr _ -> "array";
            case Str _ -> "string";
            case Num _ -> "number";
            case Bool _ -> "boolean";
            case Null _ -> "null";
        };
    }

    static Json str(String s) {
        return new Str(s);
    }

    static Json num(long v) {
        return Num.of(v);
    }

    static Json bool(boolean b) {
        return new Bool(b);
    }

    static Json arr(List<? extends Json> items) {
        return new Arr(List.copyOf(items));
    }

    static Json strings(List<String> items) {
        return new Arr(items.stream().map(s -> (Json) new Str(s)).toList());
    }
}
