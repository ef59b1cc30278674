package io.berth.spec.json;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes a {@link Json} tree as UTF-8. Compact form: no whitespace at all, members in the tree's order
 * (the bytes of manifests and configs, so they must not change between versions). Pretty form: Go's
 * {@code json.MarshalIndent(v, "", "  ")} layout, which runc, skopeo and containerd print.
 */
final class JsonWriter {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    private final boolean pretty;

    private JsonWriter(boolean pretty) {
        this.pretty = pretty;
    }

    static byte[] write(Json v, boolean pretty) {
        JsonWriter w = new JsonWriter(pretty);
        w.value(v, 0);
        if (pretty) {
            w.out.write('\n');
        }
        return w.out.toByteArray();
    }

    private void value(Json v, int level) {
        if (v instanceof Json.Obj o) {
            Map<String, Json> m = o.members();
            out.write('{');
            boolean first = true;
            for (Map.Entry<String, Json> e : m.entrySet()) {
                if (!first) {
                    out.write(',');
                }
                first = false;
                newline(level + 1);
                string(e.getKey());
                out.write(':');
                if (pretty) {
                    out.write(' ');
                }
                value(e.getValue(), level + 1);
            }
            if (!m.isEmpty()) {
                newline(level);
            }
            out.write('}');
        } else if (v instanceof Json.Arr a) {
            out.write('[');
            boolean first = true;
            for (Json item : a.items()) {
                if (!first) {
                    out.write(',');
                }
                first = false;
                newline(level + 1);
                value(item, level + 1);
            }
            if (!a.items().isEmpty()) {
                newline(level);
            }
            out.write(']');
        } else if (v instanceof Json.Str s) {
            string(s.value());
        } else if (v instanceof Json.Num n) {
            ascii(n.text());
        } else if (v instanceof Json.Bool b) {
            ascii(b.value() ? "true" : "false");
        } else {
            ascii("null");
        }
    }

    private void newline(int level) {
        if (pretty) {
            out.write('\n');
            for (int i = 0; i < level; i++) {
                out.write(' ');
                out.write(' ');
            }
        }
    }

    private void ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            out.write(s.charAt(i));
        }
    }

    /** Escapes '"', '\\' and the control characters; everything else as UTF-8 (a lone surrogate as '?'). */
    private void string(String s) {
        out.write('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                out.write(c);
                continue;
            }
            switch (c) {
                case '"' -> ascii("\\\"");
                case '\\' -> ascii("\\\\");
                case '\n' -> ascii("\\n");
                case '\r' -> ascii("\\r");
                case '\t' -> ascii("\\t");
                case '\b' -> ascii("\\b");
                case '\f' -> ascii("\\f");
                default -> {
                    if (c < 0x20) {
                        ascii("\\u00");
                        out.write(HEX[c >> 4]);
                        out.write(HEX[c & 0xf]);
                    } else {
                        int end = Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))
                                ? i + 2 : i + 1;
                        out.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
                        i = end - 1;
                    }
                }
            }
        }
        out.write('"');
    }
}
