package io.berth.spec.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.berth.spec.fuzz.JsonFuzzTest;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our reader (RFC 8259) against Jackson's streaming parser as the reference: on every valid and every
 * mutated document both accept with equal trees, or both refuse. And our writer: compact output parses
 * back to the same tree; pretty output is Go's MarshalIndent layout.
 */
class JsonReaderTest {
    private static final JsonFactory JACKSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(JsonCodec.MAX_DEPTH)
                    .maxNumberLength(JsonReader.MAX_NUMBER).build())
            .build();

    /** Jackson's tree, or null when Jackson refuses the document. */
    static Json jackson(byte[] bytes) {
        try (JsonParser p = JACKSON.createParser(bytes)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            Json v = read(p, t);
            return p.nextToken() == null ? v : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    private static Json read(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT: {
                Map<String, Json> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    m.put(name, read(p, p.nextToken()));
                }
                return new Json.Obj(m);
            }
            case START_ARRAY: {
                List<Json> items = new ArrayList<>();
                for (JsonToken n; (n = p.nextToken()) != JsonToken.END_ARRAY; ) {
                    items.add(read(p, n));
                }
                return new Json.Arr(items);
            }
            case VALUE_STRING:
                return new Json.Str(p.getText());
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new Json.Num(p.getText());
            case VALUE_TRUE:
                return new Json.Bool(true);
            case VALUE_FALSE:
                return new Json.Bool(false);
            case VALUE_NULL:
                return Json.Null.NULL;
            default:
                throw new IOException("unexpected " + t);
        }
    }

    static Json ours(byte[] bytes) {
        try {
            return JsonReader.read(bytes);
        } catch (JsonException e) {
            return null;
        }
    }

    static void sameAsJackson(byte[] doc) {
        Json expected = jackson(doc);
        Json actual = ours(doc);
        String shown = new String(doc, StandardCharsets.UTF_8);
        if (expected == null) {
            assertThat(actual).as("Jackson refuses, we must too: %s", shown).isNull();
        } else {
            assertThat(actual).as("Jackson accepts: %s", shown).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{}", "[]", "0", "-0", "1.5e10", "-12.25E-3", "\"\"", "true", "false", "null", " \t\r\n[1 , 2 ]\n",
        "{\"a\":{\"b\":[{}, [], \"x\", 1e2, null]}}", "\"\\u00e9\\n\\t\\\\\\\"\\/\\b\\f\\r\"", "\"\\ud83d\\ude00\"",
        "\"caf\u00e9 \u20ac \ud83d\ude00\"", "123456789012345678901234567890",
        // refused by both
        "", " ", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "+1", "[1 2]", "{\"a\" 1}", "{a:1}",
        "'x'", "tru", "nul", "\"\\x\"", "\"\\u12g4\"", "\"abc", "[1]]", "{}{}", "{\"a\":1,\"a\":2}", "NaN",
        "\"tab\there\"", "[", "]", "\"\\u00",
    })
    void agreesWithJackson(String doc) {
        sameAsJackson(doc.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void malformedUtf8IsRefused() {
        for (byte[] bad : List.of(new byte[] {'"', (byte) 0xc0, (byte) 0xaf, '"'}, // overlong '/'
                new byte[] {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'}, // encoded surrogate
                new byte[] {'"', (byte) 0xe2, (byte) 0x82, '"'}, // truncated
                new byte[] {'"', (byte) 0xff, '"'}, new byte[] {'"', (byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'})) {
            assertThatThrownBy(() -> JsonReader.read(bad)).isInstanceOf(JsonException.class);
        }
    }

    @Test
    void limitsAndErrorsNameTheProblemAndOffset() {
        assertThatThrownBy(() -> JsonReader.read("[".repeat(65).concat("]".repeat(65)).getBytes()))
                .hasMessageContaining("nesting deeper than 64");
        assertThat(JsonReader.read("[".repeat(64).concat("]".repeat(64)).getBytes())).isInstanceOf(Json.Arr.class);
        assertThatThrownBy(() -> JsonReader.read(("1" + "0".repeat(64)).getBytes())).hasMessageContaining("number longer");
        assertThatThrownBy(() -> JsonReader.read("{\"a\":1,\"a\":2}".getBytes()))
                .hasMessage("duplicate field \"a\" at byte 8");
        assertThatThrownBy(() -> JsonReader.read("[1,2] x".getBytes())).hasMessage("trailing content after the JSON value at byte 6");
        assertThatThrownBy(() -> JsonCodec.parse(new byte[0], "config.json")).hasMessage("config.json: malformed JSON: empty document");
        byte[] huge = new byte[JsonReader.MAX_STRING + 3];
        java.util.Arrays.fill(huge, (byte) 'a');
        huge[0] = '"';
        huge[huge.length - 1] = '"';
        assertThatThrownBy(() -> JsonReader.read(huge)).hasMessageContaining("string longer than");
        assertThat(JsonReader.read(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '1'})).isEqualTo(Json.Num.of(1));
    }

    @Test
    void mutantsOfRealDocumentsAgreeWithJackson() throws IOException {
        List<byte[]> seeds = List.of(JsonFuzzTest.MANIFEST.getBytes(StandardCharsets.UTF_8),
                JsonFuzzTest.CONFIG.getBytes(StandardCharsets.UTF_8), JsonFuzzTest.runtimeConfig());
        Random r = new Random(8259);
        int accepted = 0;
        for (int i = 0; i < 6000; i++) {
            byte[] doc = JsonFuzzTest.mutate(seeds.get(i % seeds.size()), r);
            sameAsJackson(doc);
            if (jackson(doc) != null) {
                accepted++;
            }
        }
        assertThat(accepted).as("some mutants stay valid JSON").isGreaterThan(100);
    }

    @Test
    void compactWriteRoundTripsAndMatchesTheOldBytes() throws IOException {
        byte[] cfg = JsonFuzzTest.runtimeConfig();
        Json tree = JsonReader.read(cfg);
        byte[] compact = JsonCodec.write(tree);
        assertThat(JsonReader.read(compact)).isEqualTo(tree);
        assertThat(new String(compact, StandardCharsets.UTF_8)).doesNotContain(" :").doesNotContain("\n");
        // byte for byte what Jackson's generator wrote before, so documents written again keep their digests
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x100; c++) {
            all.append(c);
        }
        Json odd = new Json.Arr(List.of(new Json.Str(all + "\u2028\ud83d\ude00/"), Json.Num.of(new BigDecimal("1E+3")),
                Json.Num.of(new BigDecimal("-0.000001")), tree));
        assertThat(new String(JsonCodec.write(odd), StandardCharsets.UTF_8)).isEqualTo(jacksonWrite(odd));
    }

    private static String jacksonWrite(Json v) throws IOException {
        java.io.StringWriter w = new java.io.StringWriter();
        try (com.fasterxml.jackson.core.JsonGenerator g = JACKSON.createGenerator(w)) {
            emit(g, v);
        }
        return w.toString();
    }

    private static void emit(com.fasterxml.jackson.core.JsonGenerator g, Json v) throws IOException {
        if (v instanceof Json.Obj o) {
            g.writeStartObject();
            for (Map.Entry<String, Json> e : o.members().entrySet()) {
                g.writeFieldName(e.getKey());
                emit(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Json.Arr a) {
            g.writeStartArray();
            for (Json item : a.items()) {
                emit(g, item);
            }
            g.writeEndArray();
        } else if (v instanceof Json.Str s) {
            g.writeString(s.value());
        } else if (v instanceof Json.Num n) {
            g.writeNumber(n.value());
        } else if (v instanceof Json.Bool b) {
            g.writeBoolean(b.value());
        } else {
            g.writeNull();
        }
    }

    @Test
    void prettyIsGoMarshalIndent() {
        Json v = JsonReader.read("{\"a\":1,\"b\":[true,null],\"c\":{},\"d\":[],\"e\":{\"f\":\"g\"}}".getBytes());
        assertThat(new String(JsonCodec.writePretty(v), StandardCharsets.UTF_8)).isEqualTo("""
                {
                  "a": 1,
                  "b": [
                    true,
                    null
                  ],
                  "c": {},
                  "d": [],
                  "e": {
                    "f": "g"
                  }
                }
                """);
    }
}
