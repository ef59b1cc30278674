package io.berth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The workload the build runs once with {@code -XX:AOTCacheOutput} so that the AOT cache holds the
 * classes the short-lived commands load: create an image from a small directory, list, inspect,
 * unpack it, gc; then push it to a registry on loopback, inspect it there and pull it back (the HTTP
 * client's ~1000 classes: a copy of a small image from a registry took 381 ms without them in the cache).
 * The registry is Berth's own in a child JVM, so that its server classes stay out of this cache.
 * Hidden command {@code berth __aot-train}; it works in a temp directory it removes.
 */
final class AotTraining {
    private AotTraining() {}

    static void run(List<String> args, PrintStream out) {
        PrintStream sink = new PrintStream(PrintStream.nullOutputStream());
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("berth-aot-");
            Path src = Files.createDirectories(tmp.resolve("src/app"));
            Files.writeString(src.resolve("hello.sh"), "#!/bin/sh\necho hello\n");
            Files.createDirectories(tmp.resolve("src/etc"));
            Files.writeString(tmp.resolve("src/etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
            Files.createSymbolicLink(tmp.resolve("src/app/link"), Path.of("hello.sh"));
            String ref = "oci:" + tmp.resolve("layout") + ":train";
            String[][] commands = {
                {"--help"},
                {"image", "create", "--from-dir", tmp.resolve("src").toString(), "--entrypoint", "/bin/sh",
                    "--cmd", "/app/hello.sh", ref},
                {"image", "add-layer", "--from-dir", tmp.resolve("src").toString(), "--compression", "zstd", ref},
                {"image", "ls", "oci:" + tmp.resolve("layout")},
                {"image", "inspect", ref},
                {"image", "unpack", ref, tmp.resolve("bundle").toString()},
                {"image", "gc", "oci:" + tmp.resolve("layout")},
                {"image", "inspect", "oci:" + tmp.resolve("layout") + ":missing"},
            };
            for (String[] c : commands) {
                Main.run(List.of(c), sink, sink);
            }
            remote(tmp, ref, sink);
            out.println("aot training done");
        } catch (IOException e) {
            throw new UncheckedIOException("aot training", e);
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /** Push, inspect and pull through a registry child process; a failure only costs the cache those classes. */
    private static void remote(Path tmp, String ref, PrintStream sink) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar;
        try {
            jar = Path.of(AotTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IOException("aot training: where is berth.jar? " + e.getMessage(), e);
        }
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:+UseSerialGC", "-jar", jar, "registry", "serve", "--addr",
                "127.0.0.1:" + port, "--root", tmp.resolve("registry").toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process registry = pb.start();
        try {
            if (!awaitListening(registry, port)) {
                System.err.println("berth: aot training: the registry on 127.0.0.1:" + port
                        + " did not come up; the cache lacks the remote commands' classes");
                return;
            }
            String remote = "docker://127.0.0.1:" + port + "/train/img:v1";
            // a 48 MiB layer too: the hashing and copy loops run long enough in training for their profiles
            // to be in the cache, so C2 compiles them early in a real pull
            Path big = Files.createDirectories(tmp.resolve("big"));
            byte[] noise = new byte[48 << 20];
            new java.util.Random(1).nextBytes(noise);
            Files.write(big.resolve("noise"), noise);
            String bigRef = "oci:" + tmp.resolve("layout") + ":big";
            Main.run(List.of("image", "create", "--from-dir", big.toString(), "--compression", "none", bigRef), sink, sink);
            String bigRemote = "docker://127.0.0.1:" + port + "/train/big:v1";
            String[][] commands = {
                {"copy", ref, remote},
                {"inspect", remote},
                {"copy", remote, "oci:" + tmp.resolve("pulled") + ":v1"},
                {"copy", bigRef, bigRemote},
                {"copy", bigRemote, "oci:" + tmp.resolve("pulled") + ":big"},
            };
            for (String[] c : commands) {
                if (Main.run(List.of(c), sink, sink) != 0) {
                    System.err.println("berth: aot training: " + String.join(" ", c) + " failed");
                }
            }
            io.berth.client.registry.RegistryClient.closeAll();
        } finally {
            registry.destroy();
            try {
                if (!registry.waitFor(10, TimeUnit.SECONDS)) {
                    registry.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                registry.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean awaitListening(Process p, int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && p.isAlive()) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return true;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("aot training: cleaning " + root, e);
        }
    }
}
