package io.berth.cli.remote;

import io.berth.cli.Args;
import io.berth.cli.UsageException;
import io.berth.client.registry.Credentials;
import io.berth.client.registry.RegistryClient;
import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.ObjBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code berth login HOST -u USER --password-stdin} and {@code berth logout HOST}: credentials in the
 * file docker and the containers tools read ({@code $REGISTRY_AUTH_FILE}, else
 * {@code ~/.docker/config.json}), {@code {"auths": {HOST: {"auth": base64(user:password)}}}}, other
 * members kept. The credentials are checked against the registry first.
 */
public final class LoginCommand {
    private LoginCommand() {}

    static Path file() {
        String f = System.getenv("REGISTRY_AUTH_FILE");
        if (f != null) {
            return Path.of(f);
        }
        String cfg = System.getenv("DOCKER_CONFIG");
        return cfg != null ? Path.of(cfg, "config.json") : Path.of(System.getProperty("user.home"), ".docker",
                "config.json");
    }

    public static void login(List<String> argv, PrintStream out) {
        Args a = Args.parse("login", argv, Set.of("-u", "--username", "-p", "--password"),
                Set.of("--password-stdin", "--insecure"));
        String host = a.positionals(1, "a registry HOST").getFirst();
        String user = a.value("-u").or(() -> a.value("--username"))
                .orElseThrow(() -> new UsageException("login: -u USER is required"));
        String password;
        if (a.flag("--password-stdin")) {
            try {
                password = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("login: read the password from stdin", e);
            }
        } else {
            password = a.value("-p").or(() -> a.value("--password"))
                    .orElseThrow(() -> new UsageException("login: give --password-stdin (or -p PASSWORD)"));
        }
        Credentials.Basic creds = new Credentials.Basic(user, password);
        RegistryClient client = new RegistryClient(host, new RegistryClient.Options(
                a.flag("--insecure") || RegistryClient.isLoopback(host), Optional.of(creds),
                java.time.Duration.ofSeconds(30)));
        client.ping();
        update(host, Optional.of(Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8))));
        out.println("Login Succeeded");
    }

    public static void logout(List<String> argv, PrintStream out) {
        Args a = Args.parse("logout", argv, Set.of(), Set.of());
        String host = a.positionals(1, "a registry HOST").getFirst();
        update(host, Optional.empty());
        out.println("Removed login credentials for " + host);
    }

    private static void update(String host, Optional<String> auth) {
        Path f = file();
        try {
            Map<String, Json> root = new LinkedHashMap<>();
            if (Files.exists(f)) {
                root.putAll(JsonCodec.parseObject(Files.readAllBytes(f), f.toString()).json().members());
            }
            Map<String, Json> auths = new LinkedHashMap<>();
            if (root.get("auths") != null) {
                auths.putAll(Fields.of(root.get("auths"), f + ".auths").json().members());
            }
            if (auth.isPresent()) {
                auths.put(host, new ObjBuilder().put("auth", auth.get()).build());
            } else {
                auths.remove(host);
            }
            root.put("auths", new Json.Obj(auths));
            Files.createDirectories(f.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(f.toAbsolutePath().getParent(), ".auth", ".tmp");
            Files.write(tmp, JsonCodec.writePretty(new Json.Obj(root)));
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("update credentials in " + f, e);
        }
    }
}
