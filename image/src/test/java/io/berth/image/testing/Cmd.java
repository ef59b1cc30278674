package io.berth.image.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real peer tool (umoci, skopeo) and fails the test with its output when it fails. */
public final class Cmd {
    private Cmd() {}

    public static String run(Path cwd, String... argv) {
        try {
            ProcessBuilder pb = new ProcessBuilder(List.of(argv)).directory(cwd.toFile()).redirectErrorStream(true);
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", argv) + ": timed out");
            }
            String s = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", argv) + ": exit " + p.exitValue() + "\n" + s);
            }
            return s;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + argv[0] + " (is it installed? scripts/env.sh installs it): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
