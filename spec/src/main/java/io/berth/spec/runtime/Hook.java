package io.berth.spec.runtime;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.ObjBuilder;
import java.util.List;
import java.util.Optional;

/**
 * A hook (config.md "POSIX-platform Hooks"): {@code path} REQUIRED and absolute; args, env and a
 * timeout in seconds that "MUST be greater than zero" are OPTIONAL.
 */
public record Hook(String path, List<String> args, List<String> env, Optional<Integer> timeout) {
    public Hook {
        args = List.copyOf(args);
        env = List.copyOf(env);
    }

    static Hook read(Fields f) {
        Optional<Integer> timeout = f.optInt("timeout");
        if (timeout.isPresent() && timeout.get() <= 0) {
            throw f.error("timeout", "must be greater than zero, found " + timeout.get());
        }
        return new Hook(f.string("path"), f.strings("args"), f.strings("env"), timeout);
    }

    Json.Obj toJson() {
        return new ObjBuilder()
                .put("path", path)
                .nonEmpty("args", args)
                .nonEmpty("env", env)
                .opt("timeout", timeout)
                .build();
    }
}
