package io.berth.spec.runtime;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.ObjBuilder;

/** A user-namespace id mapping (config-linux.md "User namespace mappings"): containerID, hostID, size. */
public record IdMapping(long containerId, long hostId, long size) {
    static IdMapping read(Fields f) {
        return new IdMapping(f.longValue("containerID", 0, 0xFFFF_FFFFL), f.longValue("hostID", 0, 0xFFFF_FFFFL),
                f.longValue("size", 0, 0xFFFF_FFFFL));
    }

    Json.Obj toJson() {
        return new ObjBuilder().put("containerID", containerId).put("hostID", hostId).put("size", size).build();
    }
}
