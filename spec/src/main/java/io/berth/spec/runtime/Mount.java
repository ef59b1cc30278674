package io.berth.spec.runtime;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.ObjBuilder;
import java.util.List;
import java.util.Optional;

/**
 * A mount (runtime-spec config.md "Mounts"): {@code destination} is REQUIRED and "MUST be an absolute
 * path" on Linux; type, source and options are OPTIONAL; uid/gid mappings for idmapped mounts.
 */
public record Mount(String destination, Optional<String> type, Optional<String> source, List<String> options,
        List<IdMapping> uidMappings, List<IdMapping> gidMappings) {

    public Mount {
        options = List.copyOf(options);
        uidMappings = List.copyOf(uidMappings);
        gidMappings = List.copyOf(gidMappings);
    }

    public static Mount of(String destination, String type, String source, List<String> options) {
        return new Mount(destination, Optional.of(type), Optional.of(source), options, List.of(), List.of());
    }

    static Mount read(Fields f) {
        String dest = f.string("destination");
        if (dest.isEmpty()) {
            throw f.error("destination", "must not be empty");
        }
        return new Mount(dest, f.optString("type"), f.optString("source"), f.strings("options"),
                f.objects("uidMappings", IdMapping::read), f.objects("gidMappings", IdMapping::read));
    }

    Json.Obj toJson() {
        return new ObjBuilder()
                .put("destination", destination)
                .opt("type", type)
                .opt("source", source)
                .nonEmpty("options", options)
                .nonEmptyArr("uidMappings", uidMappings.stream().map(IdMapping::toJson).toList())
                .nonEmptyArr("gidMappings", gidMappings.stream().map(IdMapping::toJson).toList())
                .build();
    }
}
