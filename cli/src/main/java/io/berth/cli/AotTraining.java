package io.berth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The workload the build runs once with {@code -XX:AOTCacheOutput} so that the AOT cache holds the
 * classes the short-lived commands load: create an image from a small directory, list, inspect,
 * unpack it, gc. Hidden command {@code berth __aot-train}; it works in a temp directory it removes.
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
            out.println("aot training done");
        } catch (IOException e) {
            throw new UncheckedIOException("aot training", e);
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("aot training: cleaning " + root, e);
        }
    }
}
