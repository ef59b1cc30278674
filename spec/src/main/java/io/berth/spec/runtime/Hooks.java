package io.berth.spec.runtime;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.ObjBuilder;
import java.util.List;

/** The six hook lists (config.md "POSIX-platform Hooks"), in lifecycle order. */
public record Hooks(List<Hook> prestart, List<Hook> createRuntime, List<Hook> createContainer,
        List<Hook> startContainer, List<Hook> poststart, List<Hook> poststop) {

    public static final Hooks NONE = new Hooks(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

    public Hooks {
        prestart = List.copyOf(prestart);
        createRuntime = List.copyOf(createRuntime);
        createContainer = List.copyOf(createContainer);
        startContainer = List.copyOf(startContainer);
        poststart = List.copyOf(poststart);
        poststop = List.copyOf(poststop);
    }

    static Hooks read(Fields f) {
        return new Hooks(f.objects("prestart", Hook::read), f.objects("createRuntime", Hook::read),
                f.objects("createContainer", Hook::read), f.objects("startContainer", Hook::read),
                f.objects("poststart", Hook::read), f.objects("poststop", Hook::read));
    }

    boolean isEmpty() {
        return prestart.isEmpty() && createRuntime.isEmpty() && createContainer.isEmpty() && startContainer.isEmpty()
                && poststart.isEmpty() && poststop.isEmpty();
    }

    Json.Obj toJson() {
        return new ObjBuilder()
                .nonEmptyArr("prestart", prestart.stream().map(Hook::toJson).toList())
                .nonEmptyArr("createRuntime", createRuntime.stream().map(Hook::toJson).toList())
                .nonEmptyArr("createContainer", createContainer.stream().map(Hook::toJson).toList())
                .nonEmptyArr("startContainer", startContainer.stream().map(Hook::toJson).toList())
                .nonEmptyArr("poststart", poststart.stream().map(Hook::toJson).toList())
                .nonEmptyArr("poststop", poststop.stream().map(Hook::toJson).toList())
                .build();
    }
}
