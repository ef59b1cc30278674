package io.berth.runtime;

import io.berth.runtime.cli.DefaultSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Test bundles: a rootfs of busybox-static and its applet links, and runc's default config. */
final class Bundles {
    private Bundles() {}

    static final Path BUSYBOX = Path.of("/bin/busybox");

    static Path busybox(Path dir, List<String> args) throws IOException {
        Path rootfs = dir.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("tmp"));
        Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "ls", "cat", "echo", "true", "false", "sleep", "id", "hostname", "pwd",
                "readlink", "wc", "head", "grep", "stat", "touch", "ps", "mount")) {
            Files.createSymbolicLink(rootfs.resolve("bin/" + applet), Path.of("busybox"));
        }
        String argv = args.stream().map(a -> "\"" + a.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                .collect(Collectors.joining(", ", "[", "]"));
        Files.writeString(dir.resolve("config.json"), DefaultSpec.json(false, 0, 0)
                .replace("\"terminal\": true", "\"terminal\": false").replace("[\"sh\"]", argv));
        return dir;
    }

    /** The top-level cgroup named {@code name} in every hierarchy under /sys/fs/cgroup that has it. */
    static List<Path> cgroups(String name) throws IOException {
        try (var s = Files.list(Path.of("/sys/fs/cgroup"))) {
            return s.map(h -> h.resolve(name)).filter(Files::isDirectory).toList();
        }
    }

    /** Removes (if empty) the cgroups a peer made under {@code name} that did not exist before the test. */
    static void removeNewCgroups(String name, List<Path> before) throws IOException {
        for (Path p : cgroups(name)) {
            if (!before.contains(p)) {
                try {
                    Files.deleteIfExists(p); // rmdir: fails while it holds cgroups or tasks; then it stays
                } catch (IOException e) {
                    // not empty: someone else's now
                }
            }
        }
    }

    static void edit(Path bundle, String from, String to) throws IOException {
        Path c = bundle.resolve("config.json");
        String s = Files.readString(c);
        if (!s.contains(from)) {
            throw new IllegalArgumentException("config.json has no " + from);
        }
        Files.writeString(c, s.replace(from, to));
    }

    /** A finished command: exit code, stdout, stderr. */
    record Result(int code, String out, String err) {}

    /** Runs berth-runtime (this JVM's classpath, RuntimeMain) in a child JVM. */
    static Result berth(Path root, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-MaxFDLimit", "--enable-native-access=ALL-UNNAMED",
                "-Dberth.runtime.init=" + InitProcess.binary(), "-cp", System.getProperty("java.class.path"),
                "io.berth.runtime.cli.RuntimeMain", "--root", root.toString()));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    /** The berth-runtime command line (a child JVM on this classpath), for wrappers and shells. */
    static List<String> berthCommand(Path root, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-MaxFDLimit", "--enable-native-access=ALL-UNNAMED",
                "-Dberth.runtime.init=" + InitProcess.binary(), "-cp", System.getProperty("java.class.path"),
                "io.berth.runtime.cli.RuntimeMain", "--root", root.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A command line quoted for sh. */
    static String shell(List<String> cmd) {
        StringBuilder sh = new StringBuilder();
        for (String c : cmd) {
            sh.append(sh.isEmpty() ? "" : " ").append('\'').append(c.replace("'", "'\\''")).append('\'');
        }
        return sh.toString();
    }

    /** berth-runtime through sh, so the caller can open extra fds ("3>file") as runc's callers do. */
    static Result berthWithFds(Path root, String redirections, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-MaxFDLimit", "--enable-native-access=ALL-UNNAMED",
                "-Dberth.runtime.init=" + InitProcess.binary(), "-cp", System.getProperty("java.class.path"),
                "io.berth.runtime.cli.RuntimeMain", "--root", root.toString()));
        cmd.addAll(List.of(args));
        StringBuilder sh = new StringBuilder("exec");
        for (String c : cmd) {
            sh.append(" '").append(c.replace("'", "'\\''")).append("'");
        }
        return exec(List.of("sh", "-c", sh + " " + redirections));
    }

    static Result runc(Path root, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("runc", "--root", root.toString()));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    static Result exec(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("berth-test", ".out");
        Path err = Files.createTempFile("berth-test", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
