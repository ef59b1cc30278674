package io.berth.spec.runtime;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.ObjBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Linux section of config.json (config-linux.md). Members the runtime does not use yet
 * (timeOffsets, personality, intelRdt, memoryPolicy, netDevices) are carried as raw JSON.
 */
public record Linux(
        List<Namespace> namespaces,
        List<IdMapping> uidMappings,
        List<IdMapping> gidMappings,
        List<Device> devices,
        Optional<String> cgroupsPath,
        Optional<Resources> resources,
        Optional<String> rootfsPropagation,
        Optional<Seccomp> seccomp,
        Map<String, String> sysctl,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        Optional<String> mountLabel,
        Optional<Json> timeOffsets,
        Optional<Json> personality,
        Optional<Json> intelRdt,
        Optional<Json> memoryPolicy,
        Optional<Json> netDevices) {

    static final List<String> PROPAGATIONS = List.of("private", "shared", "slave", "unbindable", "rprivate",
            "rshared", "rslave", "runbindable");

    public Linux {
        namespaces = List.copyOf(namespaces);
        uidMappings = List.copyOf(uidMappings);
        gidMappings = List.copyOf(gidMappings);
        devices = List.copyOf(devices);
        sysctl = Map.copyOf(sysctl);
        maskedPaths = List.copyOf(maskedPaths);
        readonlyPaths = List.copyOf(readonlyPaths);
    }

    public Optional<Namespace> namespace(Namespace.Type t) {
        return namespaces.stream().filter(n -> n.type() == t).findFirst();
    }

    static Linux read(Fields f) {
        List<Namespace> ns = f.objects("namespaces", Namespace::read);
        for (int i = 0; i < ns.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (ns.get(i).type() == ns.get(j).type()) {
                    throw f.error("namespaces[" + i + "]", "duplicate namespace type \"" + ns.get(i).type().json()
                            + "\"");
                }
            }
        }
        Optional<String> prop = f.optString("rootfsPropagation").filter(s -> !s.isEmpty());
        if (prop.isPresent() && !PROPAGATIONS.contains(prop.get())) {
            throw f.error("rootfsPropagation", "unknown propagation \"" + prop.get() + "\"");
        }
        return new Linux(ns, f.objects("uidMappings", IdMapping::read), f.objects("gidMappings", IdMapping::read),
                f.objects("devices", Device::read), f.optString("cgroupsPath").filter(s -> !s.isEmpty()),
                f.optObject("resources").map(Resources::read), prop, f.optObject("seccomp").map(Seccomp::read),
                f.stringMap("sysctl"), f.strings("maskedPaths"), f.strings("readonlyPaths"), f.optString("mountLabel"),
                f.raw("timeOffsets"), f.raw("personality"), f.raw("intelRdt"), f.raw("memoryPolicy"),
                f.raw("netDevices"));
    }

    Json.Obj toJson() {
        return new ObjBuilder()
                .nonEmptyArr("uidMappings", uidMappings.stream().map(IdMapping::toJson).toList())
                .nonEmptyArr("gidMappings", gidMappings.stream().map(IdMapping::toJson).toList())
                .nonEmpty("sysctl", sysctl)
                .opt("resources", resources.map(Resources::toJson))
                .opt("cgroupsPath", cgroupsPath)
                .nonEmptyArr("namespaces", namespaces.stream().map(Namespace::toJson).toList())
                .nonEmptyArr("devices", devices.stream().map(Device::toJson).toList())
                .opt("seccomp", seccomp.map(Seccomp::toJson))
                .opt("rootfsPropagation", rootfsPropagation)
                .nonEmpty("maskedPaths", maskedPaths)
                .nonEmpty("readonlyPaths", readonlyPaths)
                .opt("mountLabel", mountLabel)
                .opt("timeOffsets", timeOffsets)
                .opt("personality", personality)
                .opt("intelRdt", intelRdt)
                .opt("memoryPolicy", memoryPolicy)
                .opt("netDevices", netDevices)
                .build();
    }
}
