package io.berth.runtime;

import io.berth.spec.runtime.Hook;
import io.berth.spec.runtime.State;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * config.md "POSIX-platform Hooks": each hook runs with the container state on stdin ("The state of the
 * container MUST be passed to hooks over stdin"), path and args as execv takes them, env replacing the
 * environment when given, and its timeout in seconds.
 */
final class Hooks {
    private Hooks() {}

    /** Runs hooks in order; the first failure throws (the caller decides whether that is fatal). */
    static void run(String phase, List<Hook> hooks, State state) {
        byte[] stdin = state.toBytes();
        for (int i = 0; i < hooks.size(); i++) {
            runOne(phase, i, hooks.get(i), stdin);
        }
    }

    /**
     * Runs every hook even when one fails, each failure a warning on stderr (runtime.md step 13: "If any
     * poststop hook fails, the runtime MUST log a warning, but the remaining hooks and lifecycle continue").
     */
    static void runWarning(String phase, List<Hook> hooks, State state) {
        byte[] stdin = state.toBytes();
        for (int i = 0; i < hooks.size(); i++) {
            try {
                runOne(phase, i, hooks.get(i), stdin);
            } catch (RuntimeError e) {
                System.err.println("berth-runtime: warning: " + e.getMessage());
            }
        }
    }

    private static void runOne(String phase, int i, Hook h, byte[] stdin) {
        List<String> cmd = new ArrayList<>();
        cmd.add(h.path());
        if (h.args().size() > 1) {
            cmd.addAll(h.args().subList(1, h.args().size()));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        if (!h.env().isEmpty()) {
            Map<String, String> env = pb.environment();
            env.clear();
            for (String e : h.env()) {
                int eq = e.indexOf('=');
                env.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
            }
        }
        String what = phase + " hook #" + i + " " + h.path();
        try {
            Process p = pb.start();
            try (OutputStream out = p.getOutputStream()) {
                out.write(stdin);
            } catch (IOException e) {
                // the hook need not read its stdin
            }
            int timeout = h.timeout().orElse(0);
            if (timeout > 0 && !p.waitFor(timeout, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RuntimeError(what + ": ran past its timeout of " + timeout + " s and was killed");
            }
            int code = p.waitFor();
            if (code != 0) {
                throw new RuntimeError(what + ": exited with status " + code);
            }
        } catch (IOException e) {
            throw new RuntimeError(what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeError(what + ": interrupted", e);
        }
    }
}
