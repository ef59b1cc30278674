package io.berth.spec.json;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A JSON value tree. Spec records are decoded from and encoded to this tree; the bytes themselves
 * are parsed and written by {@link JsonCodec} (our own strict reader and writer).
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

    /**
     * A JSON number, kept as its text (RFC 8259 grammar, checked). Integers are read with
     * {@link #longValueExact()} without touching BigDecimal, whose class initialization alone costs ~10 ms
     * of a short command's start (measured on JDK 25 with an AOT cache).
     */
    record Num(String text) implements Json {
        public Num {
            if (!JsonReader.isNumber(text)) {
                throw new IllegalArgumentException("not a JSON number: \"" + text + "\"");
            }
        }

        public static Num of(long v) {
            return new Num(Long.toString(v));
        }

        public static Num of(BigDecimal v) {
            return new Num(v.toString());
        }

        /** The exact value. */
        public BigDecimal value() {
            return new BigDecimal(text);
        }

        /** The value as a long; ArithmeticException when it has a fraction or does not fit. */
        public long longValueExact() {
            if (text.length() <= 18 && text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0) {
                return Long.parseLong(text); // at most 18 digits: always fits
            }
            return value().longValueExact();
        }
    }

    /** A JSON boolean. */
    record Bool(boolean value) implements Json {}

    /** JSON null. */
    enum Null implements Json { NULL }

    /** A short name of the JSON type, for error messages. */
    default String typeName() { // no type switch: see JsonCodec.emit
        if (this instanceof Obj) {
            return "object";
        } else if (this instanceof Arr) {
            return "array";
        } else if (this instanceof Str) {
            return "string";
        } else if (this instanceof Num) {
            return "number";
        } else if (this instanceof Bool) {
            return "boolean";
        }
        return "null";
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
