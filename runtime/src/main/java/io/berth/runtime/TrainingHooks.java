package io.berth.runtime;

import io.berth.spec.runtime.Spec;
import io.berth.spec.runtime.State;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Package-private work for the AOT training run (cli.AotTraining): no processes, no root needed. */
public final class TrainingHooks {
    private TrainingHooks() {}

    public static void compile(Spec spec, Path bundle, Path stateDir) {
        Plan p = PlanCompiler.compile(new PlanCompiler.Inputs(spec, bundle, stateDir, List.of("/x/cgroup.procs"),
                false, 0, false, Path.of("/proc/self/status"), "/berth/train", Optional.empty()));
        p.encode();
        Cgroups.detect().controller("memory");
    }

    public static void store(Path root) {
        StateStore s = new StateStore(root);
        try (StateStore.Lock _ = s.createDir("train")) {
            s.save(new Container("train", State.Status.STOPPED, Optional.of(1L), 1, "/b", "/b/rootfs", "/berth/train",
                    Instant.now().toString(), Map.of()));
        }
        s.load("train");
    }
}
