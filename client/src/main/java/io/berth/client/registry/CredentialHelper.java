package io.berth.client.registry;

import io.berth.client.ClientException;
import io.berth.spec.json.Fields;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.JsonException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The docker credential-helper protocol: run {@code docker-credential-<name> get}, write the server
 * name on stdin, read {@code {"ServerURL": ..., "Username": ..., "Secret": ...}}. A helper that
 * knows nothing of the server exits non-zero ("credentials not found"): no credentials.
 */
final class CredentialHelper {
    private CredentialHelper() {}

    static Optional<Credentials.Basic> get(String name, String host, Map<String, String> env) {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new ClientException("credential helper name \"" + name + "\" is not a plain program name");
        }
        Path program = find("docker-credential-" + name, env).orElseThrow(() -> new ClientException(
                "credential helper docker-credential-" + name + " not found on PATH"));
        try {
            Process p = new ProcessBuilder(program.toString(), "get").redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(host.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = p.getInputStream().readNBytes(64 * 1024);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ClientException("credential helper " + program + " did not answer within 30 s");
            }
            if (p.exitValue() != 0) {
                return Optional.empty();
            }
            Fields f = JsonCodec.parseObject(out, program + " output");
            return Optional.of(new Credentials.Basic(f.string("Username"), f.string("Secret")));
        } catch (IOException | JsonException e) {
            throw new ClientException("credential helper " + program + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException("credential helper interrupted", e);
        }
    }

    private static Optional<Path> find(String program, Map<String, String> env) {
        for (String dir : env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Optional.of(Path.of(dir, program));
            }
        }
        return Optional.empty();
    }
}
