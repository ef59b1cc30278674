package io.berth.client.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code WWW-Authenticate} challenge (RFC 7235), as registries send it with a 401:
 * {@code Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"}
 * or {@code Basic realm="..."}.
 */
public record Challenge(String scheme, Map<String, String> params) {

    public Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name));
    }

    /** Parses the header; quoted values may contain commas. */
    public static Optional<Challenge> parse(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String h = header.trim();
        int sp = h.indexOf(' ');
        String scheme = (sp < 0 ? h : h.substring(0, sp)).toLowerCase(java.util.Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        int i = sp < 0 ? h.length() : sp + 1;
        while (i < h.length()) {
            while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == ',')) {
                i++;
            }
            int eq = h.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String key = h.substring(i, eq).trim().toLowerCase(java.util.Locale.ROOT);
            i = eq + 1;
            StringBuilder v = new StringBuilder();
            if (i < h.length() && h.charAt(i) == '"') {
                i++;
                while (i < h.length() && h.charAt(i) != '"') {
                    if (h.charAt(i) == '\\' && i + 1 < h.length()) {
                        i++;
                    }
                    v.append(h.charAt(i++));
                }
                i++;
            } else {
                while (i < h.length() && h.charAt(i) != ',') {
                    v.append(h.charAt(i++));
                }
            }
            params.put(key, v.toString().trim());
        }
        return Optional.of(new Challenge(scheme, params));
    }
}
