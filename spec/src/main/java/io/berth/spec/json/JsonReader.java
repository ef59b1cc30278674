package io.berth.spec.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 reader from UTF-8 bytes to a {@link Json} tree. Our own rather than a library's: a
 * library parser's first use costs ~17 ms of class and pool set-up (measured with jackson-core 2.22 and an
 * AOT cache), a large share of a short command such as {@code berth-runtime run}.
 *
 * <p>Strict where strictness protects us: duplicate member names, nesting deeper than
 * {@link JsonCodec#MAX_DEPTH}, strings over 16 MiB, numbers over 64 characters, malformed UTF-8, control
 * characters in strings, trailing content. Errors name the byte offset.
 */
final class JsonReader {
    static final int MAX_STRING = 16 * 1024 * 1024;
    static final int MAX_NUMBER = 64;

    private final byte[] b;
    private final int end;
    private int pos;
    private int depth;
    private final StringBuilder sb = new StringBuilder(64);

    private JsonReader(byte[] bytes) {
        this.b = bytes;
        this.end = bytes.length;
    }

    /** The single JSON value that {@code bytes} holds. */
    static Json read(byte[] bytes) {
        JsonReader r = new JsonReader(bytes);
        r.skipBom();
        r.skipSpace();
        if (r.pos == r.end) {
            throw new JsonException("empty document");
        }
        Json v = r.value();
        r.skipSpace();
        if (r.pos != r.end) {
            throw r.error("trailing content after the JSON value");
        }
        return v;
    }

    private void skipBom() {
        if (end >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf) {
            pos = 3;
        }
    }

    private void skipSpace() {
        while (pos < end) {
            byte c = b[pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            pos++;
        }
    }

    private Json value() {
        if (pos >= end) {
            throw error("unexpected end of input");
        }
        byte c = b[pos];
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                pos++;
                return new Json.Str(string());
            case 't':
                literal("true");
                return new Json.Bool(true);
            case 'f':
                literal("false");
                return new Json.Bool(false);
            case 'n':
                literal("null");
                return Json.Null.NULL;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character " + describe(c));
        }
    }

    private Json.Obj object() {
        enter();
        pos++; // {
        Map<String, Json> members = new LinkedHashMap<>();
        skipSpace();
        if (pos < end && b[pos] == '}') {
            pos++;
            depth--;
            return new Json.Obj(members);
        }
        while (true) {
            skipSpace();
            if (pos >= end || b[pos] != '"') {
                throw error("expected a member name in double quotes");
            }
            pos++;
            int at = pos;
            String name = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (members.putIfAbsent(name, value()) != null) {
                pos = at;
                throw error("duplicate field \"" + name + "\"");
            }
            skipSpace();
            if (pos < end && b[pos] == ',') {
                pos++;
                continue;
            }
            expect('}');
            depth--;
            return new Json.Obj(members);
        }
    }

    private Json.Arr array() {
        enter();
        pos++; // [
        List<Json> items = new ArrayList<>();
        skipSpace();
        if (pos < end && b[pos] == ']') {
            pos++;
            depth--;
            return new Json.Arr(items);
        }
        while (true) {
            skipSpace();
            items.add(value());
            skipSpace();
            if (pos < end && b[pos] == ',') {
                pos++;
                continue;
            }
            expect(']');
            depth--;
            return new Json.Arr(items);
        }
    }

    private void enter() {
        if (++depth > JsonCodec.MAX_DEPTH) {
            throw error("nesting deeper than " + JsonCodec.MAX_DEPTH);
        }
    }

    private void expect(char c) {
        if (pos >= end) {
            throw error("unexpected end of input, expected '" + c + "'");
        }
        if (b[pos] != c) {
            throw error("expected '" + c + "', found " + describe(b[pos]));
        }
        pos++;
    }

    private void literal(String word) {
        int n = word.length();
        if (end - pos < n) {
            throw error("unexpected end of input in " + word);
        }
        for (int i = 0; i < n; i++) {
            if (b[pos + i] != word.charAt(i)) {
                throw error("unrecognized token, expected " + word);
            }
        }
        pos += n;
    }

    /** After the opening quote; consumes the closing one. ASCII runs without escapes take the fast path. */
    private String string() {
        int start = pos;
        while (pos < end) {
            byte c = b[pos];
            if (c == '"') {
                String s = new String(b, start, pos - start, java.nio.charset.StandardCharsets.ISO_8859_1);
                pos++;
                return checkLength(s);
            }
            if (c == '\\' || c < 0x20) {
                break;
            }
            pos++;
        }
        sb.setLength(0);
        for (int i = start; i < pos; i++) {
            sb.append((char) b[i]);
        }
        while (true) {
            if (pos >= end) {
                throw error("unterminated string");
            }
            int c = b[pos] & 0xff;
            if (c == '"') {
                pos++;
                return checkLength(sb.toString());
            }
            if (c == '\\') {
                escape();
            } else if (c < 0x20) {
                throw error("control character " + describe((byte) c) + " in a string (must be escaped)");
            } else if (c < 0x80) {
                sb.append((char) c);
                pos++;
            } else {
                utf8(c);
            }
            if (sb.length() > MAX_STRING) {
                throw error("string longer than " + MAX_STRING + " characters");
            }
        }
    }

    private String checkLength(String s) {
        if (s.length() > MAX_STRING) {
            throw error("string longer than " + MAX_STRING + " characters");
        }
        return s;
    }

    private void escape() {
        if (pos + 1 >= end) {
            throw error("unterminated escape");
        }
        byte e = b[pos + 1];
        pos += 2;
        switch (e) {
            case '"' -> sb.append('"');
            case '\\' -> sb.append('\\');
            case '/' -> sb.append('/');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'u' -> {
                if (end - pos < 4) {
                    throw error("unterminated \\u escape");
                }
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    int d = Character.digit(b[pos + i], 16);
                    if (d < 0) {
                        throw error("bad hex digit in \\u escape");
                    }
                    v = v << 4 | d;
                }
                pos += 4;
                sb.append((char) v);
            }
            default -> {
                pos -= 1;
                throw error("unrecognized escape \\" + describe(e));
            }
        }
    }

    /** One multi-byte UTF-8 sequence starting with lead byte {@code c}; rejects overlongs, surrogates, > U+10FFFF. */
    private void utf8(int c) {
        int need;
        int cp;
        int min;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
            cp = c & 0x1f;
            min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            cp = c & 0x0f;
            min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            throw error("invalid UTF-8 start byte " + describe((byte) c));
        }
        if (end - pos <= need) {
            throw error("truncated UTF-8 sequence");
        }
        for (int i = 1; i <= need; i++) {
            int cc = b[pos + i] & 0xff;
            if ((cc & 0xc0) != 0x80) {
                throw error("invalid UTF-8 continuation byte " + describe((byte) cc));
            }
            cp = cp << 6 | (cc & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            throw error("invalid UTF-8 sequence");
        }
        sb.appendCodePoint(cp);
        pos += need + 1;
    }

    private Json.Num number() {
        int start = pos;
        if (b[pos] == '-') {
            pos++;
        }
        if (pos >= end || !digit(b[pos])) {
            throw error("a number needs a digit after '-'");
        }
        if (b[pos] == '0') {
            pos++;
            if (pos < end && digit(b[pos])) {
                throw error("leading zeroes are not allowed in numbers");
            }
        } else {
            digits();
        }
        if (pos < end && b[pos] == '.') {
            pos++;
            if (pos >= end || !digit(b[pos])) {
                throw error("a decimal point needs a digit after it");
            }
            digits();
        }
        if (pos < end && (b[pos] == 'e' || b[pos] == 'E')) {
            pos++;
            if (pos < end && (b[pos] == '+' || b[pos] == '-')) {
                pos++;
            }
            if (pos >= end || !digit(b[pos])) {
                throw error("an exponent needs a digit");
            }
            digits();
        }
        if (pos - start > MAX_NUMBER) {
            pos = start;
            throw error("number longer than " + MAX_NUMBER + " characters");
        }
        return new Json.Num(new String(b, start, pos - start, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** Whether {@code s} is a number in RFC 8259's grammar, at most {@link #MAX_NUMBER} characters. */
    static boolean isNumber(String s) {
        int n = s.length();
        if (n == 0 || n > MAX_NUMBER) {
            return false;
        }
        int i = s.charAt(0) == '-' ? 1 : 0;
        int intStart = i;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
        }
        if (i == intStart || (s.charAt(intStart) == '0' && i - intStart > 1)) {
            return false;
        }
        if (i < n && s.charAt(i) == '.') {
            int f = ++i;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
            if (i == f) {
                return false;
            }
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int e = i;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
            if (i == e) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void digits() {
        while (pos < end && digit(b[pos])) {
            pos++;
        }
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static String describe(byte c) {
        int v = c & 0xff;
        return v >= 0x21 && v < 0x7f ? "'" + (char) v + "'" : String.format("0x%02x", v);
    }

    private JsonException error(String what) {
        return new JsonException(what + " at byte " + pos);
    }
}
