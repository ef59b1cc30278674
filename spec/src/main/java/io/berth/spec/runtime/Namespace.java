package io.berth.spec.runtime;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.ObjBuilder;
import java.util.Optional;

/** config-linux.md "Namespaces": a type and, to join an existing one, a path. */
public record Namespace(Type type, Optional<String> path) {

    /** The namespace types the spec defines, by their JSON names. */
    public enum Type {
        PID("pid"), NETWORK("network"), MOUNT("mount"), IPC("ipc"), UTS("uts"), USER("user"), CGROUP("cgroup"),
        TIME("time");

        private final String json;

        Type(String json) {
            this.json = json;
        }

        public String json() {
            return json;
        }

        static Optional<Type> of(String s) {
            for (Type t : values()) {
                if (t.json.equals(s)) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    }

    public static Namespace of(Type t) {
        return new Namespace(t, Optional.empty());
    }

    static Namespace read(Fields f) {
        String t = f.string("type");
        Type type = Type.of(t).orElseThrow(() -> f.error("type", "unknown namespace type \"" + t + "\""));
        return new Namespace(type, f.optString("path").filter(p -> !p.isEmpty()));
    }

    Json.Obj toJson() {
        return new ObjBuilder().put("type", type.json()).opt("path", path).build();
    }
}
