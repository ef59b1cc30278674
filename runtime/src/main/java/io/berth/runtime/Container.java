package io.berth.runtime;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.ObjBuilder;
import io.berth.spec.runtime.State;
import java.util.Map;
import java.util.Optional;

/**
 * What the runtime keeps per container in {@code <root>/<id>/state.json}: the runtime-spec state
 * (runtime.md "State") plus what later operations need - the process start time (to tell our pid from a
 * reused one), the cgroup path, the rootfs and the creation time, as runc keeps them.
 */
public record Container(String id, State.Status status, Optional<Long> pid, long startTime, String bundle,
        String rootfs, String cgroupPath, String created, Map<String, String> annotations) {

    public static final String OCI_VERSION = "1.3.0";

    public Container {
        annotations = Map.copyOf(annotations);
    }

    public Container with(State.Status s) {
        return new Container(id, s, pid, startTime, bundle, rootfs, cgroupPath, created, annotations);
    }

    public Container with(long newPid, long newStartTime) {
        return new Container(id, status, Optional.of(newPid), newStartTime, bundle, rootfs, cgroupPath, created,
                annotations);
    }

    /** runtime.md "State": the pid is REQUIRED when created or running, absent otherwise. */
    public State state() {
        boolean live = status == State.Status.CREATED || status == State.Status.RUNNING
                || status == State.Status.PAUSED;
        return new State(OCI_VERSION, id, status, live ? pid : Optional.empty(), bundle, annotations);
    }

    /** runc's `state` output: the spec's members plus rootfs, created and owner. */
    public Json.Obj toStateJson() {
        ObjBuilder b = new ObjBuilder().put("ociVersion", OCI_VERSION).put("id", id).put("pid",
                state().pid().orElse(0L)).put("status", status.json()).put("bundle", bundle).put("rootfs", rootfs)
                .put("created", created).put("owner", "");
        return b.nonEmpty("annotations", annotations).build();
    }

    byte[] toBytes() {
        return JsonCodec.writePretty(new ObjBuilder()
                .put("ociVersion", OCI_VERSION).put("id", id).put("status", status.json())
                .opt("pid", pid).put("bundle", bundle).nonEmpty("annotations", annotations)
                .put("berth", new ObjBuilder().put("startTime", startTime).put("rootfs", rootfs)
                        .put("cgroupPath", cgroupPath).put("created", created).build())
                .build());
    }

    static Container parse(byte[] bytes) {
        State st = State.parse(bytes);
        Fields f = JsonCodec.parseObject(bytes, "state.json").object("berth");
        Optional<Long> pid = JsonCodec.parseObject(bytes, "state.json").optLong("pid");
        return new Container(st.id(), st.status(), pid, f.optLong("startTime").orElse(0L), st.bundle(),
                f.string("rootfs"), f.string("cgroupPath"), f.string("created"), st.annotations());
    }
}
