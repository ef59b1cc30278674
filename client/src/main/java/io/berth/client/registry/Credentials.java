package io.berth.client.registry;

import io.berth.spec.json.Fields;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.JsonException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Registry credentials from the files docker and the containers tools keep: {@code $REGISTRY_AUTH_FILE},
 * {@code $XDG_RUNTIME_DIR/containers/auth.json}, {@code $DOCKER_CONFIG/config.json} and
 * {@code ~/.docker/config.json}, in that order. Each holds {@code {"auths": {"HOST": {"auth":
 * base64(user:password)}}}}.
 */
public final class Credentials {
    /** A user name and password (or identity token). */
    public record Basic(String user, String password) {
        public String header() {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Basic[" + user + ", ****]";
        }
    }

    private Credentials() {}

    /** The files to look in, first match wins. */
    public static List<Path> files(Map<String, String> env) {
        List<Path> out = new ArrayList<>();
        Optional.ofNullable(env.get("REGISTRY_AUTH_FILE")).ifPresent(p -> out.add(Path.of(p)));
        Optional.ofNullable(env.get("XDG_RUNTIME_DIR")).ifPresent(p -> out.add(Path.of(p, "containers", "auth.json")));
        Optional.ofNullable(env.get("DOCKER_CONFIG")).ifPresent(p -> out.add(Path.of(p, "config.json")));
        Optional.ofNullable(env.get("HOME")).ifPresent(p -> out.add(Path.of(p, ".docker", "config.json")));
        return out;
    }

    /** Credentials for {@code host} from the first file that has them. */
    public static Optional<Basic> lookup(String host, List<Path> files) {
        return lookup(host, files, System.getenv());
    }

    /**
     * Credentials for {@code host}: a file's {@code credHelpers[host]} or {@code credsStore} names a
     * {@code docker-credential-<name>} program (found on {@code env}'s PATH) that answers {@code get}
     * (the host on stdin) with {@code {"Username": ..., "Secret": ...}}; otherwise {@code auths}.
     */
    public static Optional<Basic> lookup(String host, List<Path> files, Map<String, String> env) {
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                continue;
            }
            try {
                Fields root = JsonCodec.parseObject(Files.readAllBytes(f), f.toString());
                Optional<String> helper = root.optObject("credHelpers").flatMap(h -> h.optString(host))
                        .or(() -> root.optString("credsStore"));
                if (helper.isPresent()) {
                    Optional<Basic> fromHelper = CredentialHelper.get(helper.get(), host, env);
                    if (fromHelper.isPresent()) {
                        return fromHelper;
                    }
                }
                Optional<Fields> auths = root.optObject("auths");
                if (auths.isEmpty()) {
                    continue;
                }
                for (String key : List.of(host, "https://" + host, "http://" + host)) {
                    Optional<Fields> entry = auths.get().optObject(key);
                    if (entry.isPresent() && entry.get().optString("auth").isPresent()) {
                        String decoded = new String(Base64.getDecoder().decode(entry.get().string("auth")),
                                StandardCharsets.UTF_8);
                        int colon = decoded.indexOf(':');
                        if (colon <= 0) {
                            throw new IllegalArgumentException(f + ": auths." + key + ".auth is not base64(user:password)");
                        }
                        return Optional.of(new Basic(decoded.substring(0, colon), decoded.substring(colon + 1)));
                    }
                }
            } catch (IOException | JsonException e) {
                throw new IllegalArgumentException("read credentials " + f + ": " + e.getMessage(), e);
            }
        }
        return Optional.empty();
    }
}
