package io.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real peers (skopeo, podman, buildah, openssl) the interop tests drive. */
final class Peers {
    private Peers() {}

    /** Runs {@code cmd} with stderr merged into stdout; returns its exit status and output. */
    record Result(int exit, String output) {}

    static Result exec(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", cmd) + " timed out").isTrue();
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code cmd}, which must succeed; returns its output. */
    static String run(List<String> cmd) {
        Result r = exec(cmd);
        assertThat(r.exit()).as(String.join(" ", cmd) + "\n" + r.output()).isZero();
        return r.output();
    }
}
