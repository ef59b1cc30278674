package io.berth.registry.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * An htpasswd file of {@code user:hash} lines, bcrypt hashes only ({@code htpasswd -B}); other hash
 * kinds (MD5, SHA1, crypt) are refused when the file is loaded, as CNCF distribution does.
 */
public final class Htpasswd {
    private final Map<String, String> hashes;

    private Htpasswd(Map<String, String> hashes) {
        this.hashes = Map.copyOf(hashes);
    }

    public static Htpasswd load(Path file) {
        Map<String, String> m = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("read htpasswd " + file, e);
        }
        int n = 0;
        for (String line : lines) {
            n++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            String hash = colon < 0 ? "" : l.substring(colon + 1);
            if (colon <= 0 || !(hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$"))) {
                throw new IllegalArgumentException("htpasswd " + file + " line " + n + ": expected user:bcrypt-hash"
                        + " (create it with htpasswd -B)");
            }
            m.put(l.substring(0, colon), hash);
        }
        return new Htpasswd(m);
    }

    /** Whether {@code password} is the user's; constant work for unknown users is not attempted. */
    public boolean check(String user, String password) {
        String hash = hashes.get(user);
        if (hash == null) {
            return false;
        }
        try {
            return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
