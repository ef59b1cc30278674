package io.berth.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Starts runtime-init, hands it the plan over a FIFO and reads its reports from another: "pid N", then
 * "ready" (the container process waits on the exec fifo) or "error\tstep\tpath\terrno\tstrerror".
 * FIFOs, not a unix socket: the JDK's first unix-domain socket seeds a SecureRandom, ~40 ms of CPU
 * (measured: hyperfine of a JVM opening one vs not, user time 57 vs 17 ms). The container inherits the
 * caller's stdin, stdout and stderr (create hands its stdio to the container, as runc's create does).
 */
public final class InitProcess {

    /** A container process waiting on its exec fifo; {@code init} is the parent stage (exits at once unless
     * the plan said "wait", then it exits with the container's status). */
    public record Started(long pid, Process init) {}

    private InitProcess() {}

    public static Path binary() {
        String p = System.getProperty("berth.runtime.init");
        if (p != null) {
            return Path.of(p);
        }
        try {
            Path jar = Path.of(InitProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.resolveSibling("runtime-init");
        } catch (java.net.URISyntaxException e) {
            throw new RuntimeError("cannot locate runtime-init: " + e.getMessage(), e);
        }
    }

    /**
     * A runtime-init being started on a thread of its own: {@code ProcessBuilder.start} costs ~8-10 ms of
     * the caller's time (the JDK's spawn helper, then the init's exec), which create overlaps with reading
     * config.json and making the cgroups (docs/benchmarks.md "Runtime"). Until the plan is sent the init
     * has made nothing but its FIFOs, so {@link #abandon} (SIGKILL) leaves nothing behind.
     */
    public static final class Spawning {
        private final Path prefix;
        private final Thread thread;
        private volatile Process process;
        private volatile RuntimeException failure;

        private Spawning(Path prefix) {
            this.prefix = prefix;
            Path bin = binary();
            this.thread = Thread.ofPlatform().name("runtime-init-spawn").start(() -> {
                try {
                    if (!Files.isExecutable(bin)) {
                        throw new RuntimeError("runtime-init not found at " + bin
                                + " (set -Dberth.runtime.init or rebuild)");
                    }
                    Files.deleteIfExists(Path.of(prefix + ".in"));
                    Files.deleteIfExists(Path.of(prefix + ".out"));
                    process = new ProcessBuilder(bin.toString(), prefix.toString()).inheritIO().start();
                    Trace.mark("init: spawned");
                } catch (IOException e) {
                    failure = new RuntimeError("create: start runtime-init " + bin + ": " + e.getMessage(), e);
                } catch (RuntimeException e) {
                    failure = e;
                }
            });
        }

        Process await() {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RuntimeError("create: interrupted", e);
            }
            if (failure != null) {
                throw failure;
            }
            return process;
        }

        /** Kills the init (it has no container child before the plan) and removes its FIFOs. */
        public void abandon() {
            try {
                Process p = await();
                p.destroyForcibly();
                p.waitFor();
            } catch (RuntimeException e) {
                // it never started
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                Files.deleteIfExists(Path.of(prefix + ".in"));
                Files.deleteIfExists(Path.of(prefix + ".out"));
            } catch (IOException e) {
                // the state directory goes as a whole
            }
        }
    }

    /** Starts runtime-init with the FIFOs {@code prefix.in} and {@code prefix.out} (it makes them). */
    public static Spawning spawn(Path prefix) {
        return new Spawning(prefix);
    }

    /** {@link #spawn} and {@link #handshake} in one. */
    public static Started start(Path prefix, Plan plan, java.util.function.LongConsumer onSync) {
        return handshake(spawn(prefix), plan, onSync);
    }

    /**
     * Sends the plan to a spawned runtime-init and reads reports until "ready". {@code onSync} runs the
     * hooks when the init asks.
     */
    public static Started handshake(Spawning spawning, Plan plan, java.util.function.LongConsumer onSync) {
        Path prefix = spawning.prefix;
        byte[] planBytes = plan.encode();
        Path in = Path.of(prefix + ".in");
        Path out = Path.of(prefix + ".out");
        Process init = null;
        FileChannel toInit = null;
        FileChannel fromInit = null;
        long pid = -1;
        boolean ready = false;
        try {
            init = spawning.await();
            // runtime-init makes .out then .in; both exist once .in does
            for (int spins = 0; !Files.exists(in); spins++) {
                if (!init.isAlive()) {
                    throw new RuntimeError("runtime-init exited with status " + init.exitValue() + " before it started");
                }
                Thread.sleep(0, spins < 100 ? 50_000 : 500_000);
            }
            // The opens pair with the init's (it opens .out for writing, then .in for reading). Should it die
            // first, the watcher opens the other ends itself, so no open here waits forever; reads then see
            // EOF once every writer (the init and its container child) is gone.
            Process p = init;
            Thread watcher = Thread.ofPlatform().daemon().name("runtime-init-watcher").start(() -> {
                try {
                    p.waitFor();
                    FileChannel.open(out, StandardOpenOption.WRITE).close();
                    FileChannel.open(in, StandardOpenOption.READ).close();
                } catch (InterruptedException | IOException e) {
                    // interrupted once the init reported ready, or the FIFOs are gone: nothing to unblock
                }
            });
            fromInit = FileChannel.open(out, StandardOpenOption.READ);
            toInit = FileChannel.open(in, StandardOpenOption.WRITE);
            Trace.mark("init: fifos open");
            ByteBuffer buf = ByteBuffer.wrap(planBytes);
            while (buf.hasRemaining()) {
                toInit.write(buf);
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(Channels.newInputStream(fromInit),
                    StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("pid ")) {
                    pid = Long.parseLong(line.substring(4));
                } else if (line.equals("sync")) {
                    onSync.accept(pid); // hooks; throwing closes the FIFOs (finally): the init reads EOF, gives up
                    toInit.write(ByteBuffer.wrap(new byte[] {'1'}));
                } else if (line.equals("ready")) {
                    watcher.interrupt();
                    ready = true;
                    return new Started(pid, init);
                } else if (line.startsWith("error\t")) {
                    throw initError(line);
                } else if (line.startsWith("failmsg\t")) {
                    throw new RuntimeError("container init: " + line.substring("failmsg\t".length()));
                }
            }
            int status = init.waitFor();
            throw new RuntimeError("runtime-init ended (status " + status + ") before the container was ready");
        } catch (IOException e) {
            throw new RuntimeError("create: talking to runtime-init: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeError("create: interrupted", e);
        } finally {
            if (!ready && pid > 0) {
                Native.kill(pid, 9); // a container process that will never be started must not linger
            }
            closeQuietly(toInit);
            closeQuietly(fromInit);
            try {
                Files.deleteIfExists(in);
                Files.deleteIfExists(out);
            } catch (IOException e) {
                // leftovers in the container's state directory go with it on delete
            }
        }
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing to add to the error being reported
            }
        }
    }

    /** "error\tstep\tpath\terrno\tstrerror" → "runtime-init: step path: strerror (errno N)". */
    static RuntimeError initError(String line) {
        String[] f = line.split("\t", -1);
        String step = f.length > 1 ? f[1] : "?";
        String path = f.length > 2 ? f[2] : "";
        String errno = f.length > 3 ? f[3] : "?";
        String text = f.length > 4 ? f[4] : "";
        return new RuntimeError("container init: " + step + (path.isEmpty() ? "" : " " + path) + ": " + text
                + " (errno " + errno + ")");
    }
}
