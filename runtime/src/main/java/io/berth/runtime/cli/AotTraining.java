package io.berth.runtime.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The AOT training workload (run at package time): the classes of spec parsing, plan compilation, the
 * state store and JSON output, without starting containers (the build must not need root or busybox).
 */
final class AotTraining {
    private AotTraining() {}

    /** A seccomp profile touching every operator, a masked compare, three architectures and errnoRet. */
    static final String SECCOMP = """
            {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
             "syscalls": [
              {"names": ["mkdir", "mkdirat", "rmdir", "socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
              {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
              {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 4294967296, "op": "SCMP_CMP_GE"}]},
              {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 40, "op": "SCMP_CMP_GT"},
                {"index": 0, "value": 0, "op": "SCMP_CMP_NE"}]},
              {"names": ["tkill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 2, "op": "SCMP_CMP_LT"}]},
              {"names": ["tgkill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 2, "value": 1, "op": "SCMP_CMP_LE"}]},
              {"names": ["clone"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 2114060288, "valueTwo": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}]},
              {"names": ["reboot", "kexec_load"], "action": "SCMP_ACT_KILL_PROCESS"}]}""";

    /**
     * When the build runs as root with busybox-static installed (as on the CI machine), the training also
     * runs real containers: create, start, state, kill, delete and run, so the cache holds the classes of
     * process spawning and the init socket. Failures here only make the cache smaller.
     */
    private static void containers(RuntimeMain m, Path tmp, Path root) throws IOException {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox) || !"root".equals(System.getProperty("user.name"))) {
            return;
        }
        Path bundle = tmp.resolve("bb");
        Files.createDirectories(bundle.resolve("rootfs/bin"));
        Files.copy(busybox, bundle.resolve("rootfs/bin/busybox"));
        Files.createSymbolicLink(bundle.resolve("rootfs/bin/true"), Path.of("busybox"));
        Files.createSymbolicLink(bundle.resolve("rootfs/bin/sleep"), Path.of("busybox"));
        String config = DefaultSpec.json(false, 0, 0).replace("\"terminal\": true", "\"terminal\": false")
                .replace("[\"sh\"]", "[\"sleep\", \"10\"]");
        Files.writeString(bundle.resolve("config.json"), config);
        String r = root.toString();
        String b = bundle.toString();
        for (int i = 0; i < 3; i++) {
            String id = "aot-train-" + ProcessHandle.current().pid() + "-" + i;
            m.run(new String[] {"--root", r, "create", "--bundle", b, id});
            m.run(new String[] {"--root", r, "state", id});
            m.run(new String[] {"--root", r, "start", id});
            m.run(new String[] {"--root", r, "list", "--format", "json"});
            m.run(new String[] {"--root", r, "pause", id});
            m.run(new String[] {"--root", r, "state", id});
            m.run(new String[] {"--root", r, "resume", id});
            m.run(new String[] {"--root", r, "ps", "--format", "json", id});
            m.run(new String[] {"--root", r, "events", "--stats", id});
            m.run(new String[] {"--root", r, "kill", id, "KILL"});
            m.run(new String[] {"--root", r, "delete", "--force", id});
        }
        Files.writeString(bundle.resolve("config.json"), config.replace("[\"sleep\", \"10\"]", "[\"true\"]")
                .replace("\"linux\": {", "\"linux\": {\"seccomp\": " + SECCOMP + ","));
        for (int i = 0; i < 3; i++) {
            m.run(new String[] {"--root", r, "run", "--bundle", b, "aot-run-" + ProcessHandle.current().pid() + "-" + i});
        }
    }

    static void run(RuntimeMain unused) throws IOException {
        Path tmp = Files.createTempDirectory("berth-runtime-aot");
        try {
            Files.createDirectories(tmp.resolve("bundle/rootfs"));
            PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
            RuntimeMain m = new RuntimeMain(sink, sink);
            m.run(new String[] {"spec", "--bundle", tmp.resolve("bundle").toString()});
            byte[] config = Files.readAllBytes(tmp.resolve("bundle/config.json"));
            io.berth.spec.runtime.Spec spec = io.berth.spec.runtime.Spec.parse(config);
            spec = new io.berth.spec.runtime.Spec(spec.ociVersion(), spec.root(), spec.mounts(),
                    spec.process().map(p -> new io.berth.spec.runtime.Process(false, p.consoleSize(), p.user(),
                            p.args(), p.commandLine(), p.env(), p.cwd(), p.capabilities(), p.rlimits(),
                            p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(), p.selinuxLabel(), p.scheduler(),
                            p.ioPriority(), p.execCPUAffinity())), spec.hostname(), spec.domainname(), spec.hooks(),
                    spec.annotations(), spec.linux());
            io.berth.runtime.TrainingHooks.compile(spec, tmp.resolve("bundle"), tmp.resolve("state"));
            io.berth.spec.runtime.Spec withSeccomp = io.berth.spec.runtime.Spec.parse(new String(config,
                    java.nio.charset.StandardCharsets.UTF_8).replace("\"linux\": {", "\"linux\": {\"seccomp\": "
                    + SECCOMP.replace("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO") + ",").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            io.berth.runtime.seccomp.SeccompCompiler.compile(withSeccomp.linux().orElseThrow().seccomp().orElseThrow())
                    .hex();
            Path root = tmp.resolve("root");
            m.run(new String[] {"--root", root.toString(), "list"});
            m.run(new String[] {"--root", root.toString(), "list", "--format", "json"});
            m.run(new String[] {"--root", root.toString(), "state", "nothere"});
            m.run(new String[] {"features"});
            io.berth.runtime.TrainingHooks.store(root);
            m.run(new String[] {"--root", root.toString(), "state", "train"});
            m.run(new String[] {"--root", root.toString(), "list"});
            m.run(new String[] {"--root", root.toString(), "delete", "train"});
            containers(m, tmp, root);
        } finally {
            try (var s = Files.walk(tmp)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
