package io.berth.spec.runtime;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.ObjBuilder;
import java.util.Map;
import java.util.Optional;

/**
 * A container's state (runtime.md "State"): ociVersion, id, status, pid (when created or running),
 * bundle, annotations.
 */
public record State(String ociVersion, String id, Status status, Optional<Long> pid, String bundle,
        Map<String, String> annotations) {

    public State {
        annotations = Map.copyOf(annotations);
    }

    /** runtime.md "status", plus "paused" as runc reports a frozen container. */
    public enum Status {
        CREATING, CREATED, RUNNING, STOPPED, PAUSED;

        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Status of(Fields f, String s) {
            for (Status st : values()) {
                if (st.json().equals(s)) {
                    return st;
                }
            }
            throw f.error("status", "unknown status \"" + s + "\"");
        }
    }

    public static State parse(byte[] bytes) {
        Fields f = JsonCodec.parseObject(bytes, "state");
        return new State(f.string("ociVersion"), f.string("id"), Status.of(f, f.string("status")),
                f.optLong("pid", 0, Integer.MAX_VALUE).filter(p -> p > 0), f.string("bundle"),
                f.stringMap("annotations"));
    }

    public Json.Obj toJson() {
        ObjBuilder b = new ObjBuilder().put("ociVersion", ociVersion).put("id", id).put("status", status.json());
        pid.ifPresent(p -> b.put("pid", p));
        return b.put("bundle", bundle).nonEmpty("annotations", annotations).build();
    }

    public byte[] toBytes() {
        return JsonCodec.writePretty(toJson());
    }
}
