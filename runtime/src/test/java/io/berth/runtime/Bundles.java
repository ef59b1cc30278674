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

    /** What the container tests need; they fail (never skip) without it. */
    static void requireRootAndBusybox() {
        org.assertj.core.api.Assertions.assertThat(System.getProperty("user.name"))
                .as("these tests create namespaces: run as root").isEqualTo("root");
        org.assertj.core.api.Assertions.assertThat(BUSYBOX).as("apt-get install busybox-static").isExecutable();
    }

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

    /** Removes (if empty) the cgroups a peer made under {@code name}, and below, that did not exist before. */
    static void removeNewCgroups(String name, List<Path> before) throws IOException {
        for (Path p : cgroups(name)) {
            if (!before.contains(p)) {
                removeTree(p);
            }
        }
    }

    /** rmdir of a cgroup and the cgroups under it, deepest first; one still holding tasks stays. */
    private static void removeTree(Path top) throws IOException {
        try (var t = Files.walk(top)) {
            for (Path d : t.filter(Files::isDirectory).sorted(java.util.Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException e) {
                    // still holds tasks: leave it
                }
            }
        }
    }

    /** Removes the cgroup {@code rel} (and what is under it, deepest first) from every hierarchy, if empty. */
    static void removeCgroupTree(String rel) throws IOException {
        try (var hs = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hs.filter(p -> !Files.isSymbolicLink(p)).toList()) {
                if (Files.isDirectory(h.resolve(rel))) {
                    removeTree(h.resolve(rel));
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

    /**
     * An OCI layout at {@code layout} with one image tagged "latest": the busybox rootfs as a gzip layer,
     * PATH=/bin and {@code cmd}, written by Berth's own image writer (for peers that import images).
     */
    static Path busyboxImage(Path layout, List<String> cmd) throws IOException {
        Path rootfs = busybox(layout.resolveSibling(layout.getFileName() + "-src"), List.of("sh")).resolve("rootfs");
        io.berth.image.create.ImageCreator.create(io.berth.image.layout.OciLayout.openOrCreate(layout), "latest",
                new io.berth.image.create.ImageCreator.Request(java.util.Optional.empty(), java.util.Optional.empty(),
                        io.berth.spec.Platform.of("linux", "amd64"),
                        java.util.Optional.of(new io.berth.image.create.ImageCreator.LayerSource(rootfs,
                                java.util.Optional.empty(), io.berth.spec.Compression.GZIP)),
                        new io.berth.image.create.ImageChanges(java.util.Optional.empty(), java.util.Optional.of(cmd),
                                List.of("PATH=/bin"), java.util.Optional.empty(), java.util.Optional.empty(),
                                java.util.Map.of()),
                        java.util.Optional.empty(), "berth runtime tests"));
        return layout;
    }

    /** A finished command: exit code, stdout, stderr. */
    record Result(int code, String out, String err) {}

    /** Runs berth-runtime (this JVM's classpath, RuntimeMain) in a child JVM. */
    static Result berth(Path root, String... args) throws IOException, InterruptedException {
        return exec(berthCommand(root, args));
    }

    /** The java command line of berth-runtime on this classpath, before its own arguments. */
    private static List<String> javaCommand() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-MaxFDLimit", "--enable-native-access=ALL-UNNAMED",
                "-Dberth.runtime.init=" + InitProcess.binary(), "-cp", System.getProperty("java.class.path"),
                "io.berth.runtime.cli.RuntimeMain");
    }

    /** The berth-runtime command line (a child JVM on this classpath), for wrappers and shells. */
    static List<String> berthCommand(Path root, String... args) {
        List<String> cmd = new java.util.ArrayList<>(javaCommand());
        cmd.addAll(List.of("--root", root.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * An executable berth-runtime at {@code file} for peers that take a runtime path (containerd's
     * --runc-binary, podman's --runtime); they pass their own --root.
     */
    static Path wrapper(Path file) throws IOException {
        Files.writeString(file, "#!/bin/sh\nexec " + shell(javaCommand()) + " \"$@\"\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
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
        return exec(List.of("sh", "-c", "exec " + shell(berthCommand(root, args)) + " " + redirections));
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
