package io.berth.client.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * CNCF distribution (Debian's docker-registry 2.8.2, the real peer) on 127.0.0.1 and a free port,
 * storing in a temp directory, optionally behind htpasswd (bcrypt) basic auth. Stopped by PID.
 */
public final class DockerRegistry implements AutoCloseable {
    private final Process process;
    private final int port;

    private DockerRegistry(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static DockerRegistry start(Path dir, Optional<String[]> userPassword) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir.resolve("data"));
        StringBuilder cfg = new StringBuilder("""
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("data"), port));
        if (userPassword.isPresent()) {
            Path htpasswd = dir.resolve("htpasswd");
            String line = run(List.of("htpasswd", "-Bbn", userPassword.get()[0], userPassword.get()[1])).trim();
            Files.writeString(htpasswd, line + "\n");
            cfg.append("""
                    auth:
                      htpasswd:
                        realm: berth-test
                        path: %s
                    """.formatted(htpasswd));
        }
        Path config = dir.resolve("config.yml");
        Files.writeString(config, cfg);
        Process p = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        DockerRegistry r = new DockerRegistry(p, port);
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 100; i++) {
            try {
                HttpResponse<Void> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (res.statusCode() == 200 || res.statusCode() == 401) {
                    return r;
                }
            } catch (IOException e) {
                // not up yet
            }
            if (!p.isAlive()) {
                throw new AssertionError("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
            }
            Thread.sleep(100);
        }
        r.close();
        throw new AssertionError("docker-registry did not start: " + Files.readString(dir.resolve("registry.log")));
    }

    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError(cmd + ": " + out);
        }
        return out;
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
