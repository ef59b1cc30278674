package io.berth.spec.runtime;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.ObjBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A runtime bundle's {@code config.json} (runtime-spec config.md, config-linux.md). {@code ociVersion}
 * is REQUIRED. Parsing is a single streaming pass into a tree and typed records (no reflection): it
 * runs on every container start. Unknown members are ignored ("Unknown properties MUST be ignored",
 * config.md "Extensibility"); what the runtime does not use yet is kept as raw JSON.
 */
public record Spec(
        String ociVersion,
        Optional<Root> root,
        List<Mount> mounts,
        Optional<Process> process,
        Optional<String> hostname,
        Optional<String> domainname,
        Hooks hooks,
        Map<String, String> annotations,
        Optional<Linux> linux) {

    public Spec {
        mounts = List.copyOf(mounts);
        annotations = Map.copyOf(annotations);
    }

    /** config.md "Root": path REQUIRED, readonly OPTIONAL. */
    public record Root(String path, boolean readonly) {
        static Root read(Fields f) {
            String p = f.string("path");
            if (p.isEmpty()) {
                throw f.error("path", "must not be empty");
            }
            return new Root(p, f.bool("readonly", false));
        }

        Json.Obj toJson() {
            ObjBuilder b = new ObjBuilder().put("path", path);
            if (readonly) {
                b.put("readonly", true);
            }
            return b.build();
        }
    }

    public static Spec parse(byte[] bytes) {
        return read(JsonCodec.parseObject(bytes, "config.json"));
    }

    public static Spec read(Fields f) {
        String version = f.string("ociVersion");
        if (!version.matches("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?")) {
            throw f.error("ociVersion", "\"" + version + "\" is not a SemVer version");
        }
        Optional<Process> process = f.optObject("process").map(Process::read);
        if (process.isPresent() && !process.get().cwd().startsWith("/")) {
            throw new io.berth.spec.json.JsonException(f.at("process.cwd") + ": must be an absolute path, found \""
                    + process.get().cwd() + "\"");
        }
        return new Spec(version, f.optObject("root").map(Root::read), f.objects("mounts", Mount::read), process,
                f.optString("hostname"), f.optString("domainname"),
                f.optObject("hooks").map(Hooks::read).orElse(Hooks.NONE), f.stringMap("annotations"),
                f.optObject("linux").map(Linux::read));
    }

    public Json.Obj toJson() {
        return new ObjBuilder()
                .put("ociVersion", ociVersion)
                .opt("process", process.map(Process::toJson))
                .opt("root", root.map(Root::toJson))
                .opt("hostname", hostname)
                .opt("domainname", domainname)
                .nonEmptyArr("mounts", mounts.stream().map(Mount::toJson).toList())
                .opt("hooks", hooks.isEmpty() ? Optional.empty() : Optional.of(hooks.toJson()))
                .nonEmpty("annotations", annotations)
                .opt("linux", linux.map(Linux::toJson))
                .build();
    }

    /** Pretty, deterministic bytes for a bundle's config.json. */
    public byte[] toBytes() {
        return JsonCodec.writePretty(toJson());
    }
}
