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
            Path root = tmp.resolve("root");
            m.run(new String[] {"--root", root.toString(), "list"});
            m.run(new String[] {"--root", root.toString(), "list", "--format", "json"});
            m.run(new String[] {"--root", root.toString(), "state", "nothere"});
            m.run(new String[] {"features"});
            io.berth.runtime.TrainingHooks.store(root);
            m.run(new String[] {"--root", root.toString(), "state", "train"});
            m.run(new String[] {"--root", root.toString(), "list"});
            m.run(new String[] {"--root", root.toString(), "delete", "train"});
        } finally {
            try (var s = Files.walk(tmp)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
