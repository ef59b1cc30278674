package io.berth.spec.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads JSON bytes into a {@link Json} tree and writes trees back as compact, deterministic bytes,
 * with Jackson's streaming core only.
 *
 * <p>Reading is strict where strictness protects us (duplicate keys, trailing content, nesting depth,
 * string length) and never cares about members it does not know. Writing is deterministic: object
 * members in the order the tree gives them (records build them in a fixed order; maps are sorted).
 */
public final class JsonCodec {
    /** Deepest nesting accepted; real manifests and configs stay under 10. */
    public static final int MAX_DEPTH = 64;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(16 * 1024 * 1024)
                    .maxNumberLength(64)
                    .build())
            .build();

    private JsonCodec() {}

    /** Parses one JSON document; {@code what} names it in errors ("manifest", "config.json"). */
    public static Json parse(byte[] bytes, String what) {
        try (JsonParser p = FACTORY.createParser(bytes)) {
            return parseDocument(p, what);
        } catch (JsonProcessingException e) {
            throw new JsonException(what + ": malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": reading JSON", e);
        }
    }

    /** Parses one JSON document from a stream. */
    public static Json parse(InputStream in, String what) {
        try (JsonParser p = FACTORY.createParser(in)) {
            return parseDocument(p, what);
        } catch (JsonProcessingException e) {
            throw new JsonException(what + ": malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": reading JSON", e);
        }
    }

    /** Parses a document that must be an object. */
    public static Fields parseObject(byte[] bytes, String what) {
        return Fields.of(parse(bytes, what), what);
    }

    private static Json parseDocument(JsonParser p, String what) throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw new JsonException(what + ": empty document");
        }
        Json value = read(p, first);
        if (p.nextToken() != null) {
            throw new JsonException(what + ": trailing content after the JSON value");
        }
        return value;
    }

    private static Json read(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Json> members = new LinkedHashMap<>();
                JsonToken n;
                while ((n = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    members.put(name, read(p, p.nextToken()));
                }
                if (n != JsonToken.END_OBJECT) {
                    throw new JsonException("unexpected token " + n);
                }
                yield new Json.Obj(members);
            }
            case START_ARRAY -> {
                List<Json> items = new ArrayList<>();
                JsonToken n;
                while ((n = p.nextToken()) != JsonToken.END_ARRAY) {
                    items.add(read(p, n));
                }
                yield new Json.Arr(items);
            }
            case VALUE_STRING -> new Json.Str(p.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new Json.Num(p.getDecimalValue());
            case VALUE_TRUE -> new Json.Bool(true);
            case VALUE_FALSE -> new Json.Bool(false);
            case VALUE_NULL -> Json.Null.NULL;
            default -> throw new JsonException("unexpected token " + t);
        };
    }

    /** Compact, deterministic encoding. */
    public static byte[] write(Json value) {
        return write(value, false);
    }

    /** Encoding with two-space indentation, for humans (inspect, config.json). */
    public static byte[] writePretty(Json value) {
        return write(value, true);
    }

    private static byte[] write(Json value, boolean pretty) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            if (pretty) {
                g.useDefaultPrettyPrinter();
            }
            emit(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON", e);
        }
        if (pretty) {
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static void emit(JsonGenerator g, Json v) throws IOException {
        switch (v) {
            case Json.Obj o -> {
                g.writeStartObject();
                for (Map.Entry<String, Json> e : o.members().entrySet()) {
                    g.writeFieldName(e.getKey());
                    emit(g, e.getValue());
                }
                g.writeEndObject();
            }
            case Json.Arr a -> {
                g.writeStartArray();
                for (Json item : a.items()) {
                    emit(g, item);
                }
                g.writeEndArray();
            }
            case Json.Str s -> g.writeString(s.value());
            case Json.Num n -> g.writeNumber(n.value());
            case Json.Bool b -> g.writeBoolean(b.value());
            case Json.Null _ -> g.writeNull();
        }
    }

    /** Builds an object from a map with its keys sorted, as Go's encoding/json writes maps. */
    public static Json sortedStrings(Map<String, String> map) {
        Map<String, Json> sorted = new TreeMap<>();
        map.forEach((k, val) -> sorted.put(k, new Json.Str(val)));
        return new Json.Obj(sorted);
    }
}
