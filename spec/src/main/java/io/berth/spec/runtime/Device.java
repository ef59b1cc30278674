package io.berth.spec.runtime;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.ObjBuilder;
import java.util.List;
import java.util.Optional;

/** config-linux.md "Devices": a node to create in the container (type c, b, u or p). */
public record Device(String type, String path, Optional<Long> major, Optional<Long> minor, Optional<Long> fileMode,
        Optional<Long> uid, Optional<Long> gid) {

    static Device read(Fields f) {
        String type = f.string("type");
        if (!List.of("c", "b", "u", "p").contains(type)) {
            throw f.error("type", "must be c, b, u or p, found \"" + type + "\"");
        }
        String path = f.string("path");
        if (!path.startsWith("/")) {
            throw f.error("path", "must be absolute, found \"" + path + "\"");
        }
        Optional<Long> major = f.optLong("major");
        Optional<Long> minor = f.optLong("minor");
        if (!type.equals("p") && (major.isEmpty() || minor.isEmpty())) {
            throw f.error(major.isEmpty() ? "major" : "minor", "required for a device of type " + type);
        }
        return new Device(type, path, major, minor, f.optUint32("fileMode"), f.optUint32("uid"), f.optUint32("gid"));
    }

    Json.Obj toJson() {
        return new ObjBuilder().put("path", path).put("type", type).opt("major", major).opt("minor", minor)
                .opt("fileMode", fileMode).opt("uid", uid).opt("gid", gid).build();
    }
}
