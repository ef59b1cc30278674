package io.berth.spec;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.ObjBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An image configuration (image-spec config.md). {@code architecture}, {@code os} and {@code rootfs}
 * are REQUIRED; {@code rootfs.type} MUST be {@code layers}; {@code rootfs.diff_ids} are the digests of
 * the uncompressed layer tars, in layer order.
 */
public record ImageConfig(
        Optional<String> created,
        Optional<String> author,
        String architecture,
        String os,
        Optional<String> osVersion,
        List<String> osFeatures,
        Optional<String> variant,
        Config config,
        List<Digest> diffIds,
        List<History> history) {

    public ImageConfig {
        osFeatures = List.copyOf(osFeatures);
        diffIds = List.copyOf(diffIds);
        history = List.copyOf(history);
    }

    /** The execution parameters (config.md "config"), field names as Docker spells them. */
    public record Config(
            Optional<String> user,
            List<String> exposedPorts,
            List<String> env,
            List<String> entrypoint,
            List<String> cmd,
            List<String> volumes,
            Optional<String> workingDir,
            Map<String, String> labels,
            Optional<String> stopSignal,
            Optional<Boolean> argsEscaped) {

        public Config {
            exposedPorts = List.copyOf(exposedPorts);
            env = List.copyOf(env);
            entrypoint = List.copyOf(entrypoint);
            cmd = List.copyOf(cmd);
            volumes = List.copyOf(volumes);
            labels = Map.copyOf(labels);
        }

        public static final Config EMPTY = new Config(Optional.empty(), List.of(), List.of(), List.of(), List.of(),
                List.of(), Optional.empty(), Map.of(), Optional.empty(), Optional.empty());

        public Config withEntrypoint(List<String> e) {
            return new Config(user, exposedPorts, env, e, cmd, volumes, workingDir, labels, stopSignal, argsEscaped);
        }

        public Config withCmd(List<String> c) {
            return new Config(user, exposedPorts, env, entrypoint, c, volumes, workingDir, labels, stopSignal,
                    argsEscaped);
        }

        public Config withEnv(List<String> e) {
            return new Config(user, exposedPorts, e, entrypoint, cmd, volumes, workingDir, labels, stopSignal,
                    argsEscaped);
        }

        public Config withWorkingDir(Optional<String> w) {
            return new Config(user, exposedPorts, env, entrypoint, cmd, volumes, w, labels, stopSignal, argsEscaped);
        }

        public Config withUser(Optional<String> u) {
            return new Config(u, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal,
                    argsEscaped);
        }

        public Config withLabels(Map<String, String> l) {
            return new Config(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, l, stopSignal,
                    argsEscaped);
        }

        static Config read(Fields f) {
            return new Config(f.optString("User").filter(s -> !s.isEmpty()), f.keys("ExposedPorts"),
                    f.strings("Env"), f.strings("Entrypoint"), f.strings("Cmd"), f.keys("Volumes"),
                    f.optString("WorkingDir").filter(s -> !s.isEmpty()), f.stringMap("Labels"),
                    f.optString("StopSignal").filter(s -> !s.isEmpty()), f.optBool("ArgsEscaped"));
        }

        Json.Obj toJson() {
            return new ObjBuilder()
                    .opt("User", user)
                    .nonEmptySet("ExposedPorts", exposedPorts)
                    .nonEmpty("Env", env)
                    .nonEmpty("Entrypoint", entrypoint)
                    .nonEmpty("Cmd", cmd)
                    .nonEmptySet("Volumes", volumes)
                    .opt("WorkingDir", workingDir)
                    .nonEmpty("Labels", labels)
                    .opt("StopSignal", stopSignal)
                    .opt("ArgsEscaped", argsEscaped)
                    .build();
        }
    }

    /** One history entry (config.md "history"). */
    public record History(Optional<String> created, Optional<String> createdBy, Optional<String> author,
            Optional<String> comment, boolean emptyLayer) {

        static History read(Fields f) {
            return new History(f.optString("created"), f.optString("created_by"), f.optString("author"),
                    f.optString("comment"), f.bool("empty_layer", false));
        }

        Json.Obj toJson() {
            ObjBuilder b = new ObjBuilder()
                    .opt("created", created)
                    .opt("created_by", createdBy)
                    .opt("author", author)
                    .opt("comment", comment);
            if (emptyLayer) {
                b.put("empty_layer", true);
            }
            return b.build();
        }
    }

    /** A fresh config for a platform with no layers. */
    public static ImageConfig empty(Platform p) {
        return new ImageConfig(Optional.empty(), Optional.empty(), p.architecture(), p.os(), p.osVersion(),
                p.osFeatures(), p.variant(), Config.EMPTY, List.of(), List.of());
    }

    public Platform platform() {
        return new Platform(os, architecture, variant, osVersion, osFeatures);
    }

    public ImageConfig withConfig(Config c) {
        return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, c, diffIds, history);
    }

    public ImageConfig withCreated(Optional<String> c) {
        return new ImageConfig(c, author, architecture, os, osVersion, osFeatures, variant, config, diffIds, history);
    }

    /** Appends a layer's diffID and its history entry. */
    public ImageConfig withLayer(Digest diffId, History h) {
        List<Digest> d = new ArrayList<>(diffIds);
        d.add(diffId);
        List<History> hs = new ArrayList<>(history);
        hs.add(h);
        return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, config, d, hs);
    }

    public static ImageConfig parse(byte[] bytes) {
        return read(JsonCodec.parseObject(bytes, "config"));
    }

    public static ImageConfig read(Fields f) {
        Fields rootfs = f.object("rootfs");
        String type = rootfs.string("type");
        if (!type.equals("layers")) {
            throw rootfs.error("type", "must be \"layers\", found \"" + type + "\"");
        }
        List<String> ids = rootfs.optStrings("diff_ids")
                .orElseThrow(() -> rootfs.error("diff_ids", "required field is missing"));
        List<Digest> diffIds = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            try {
                diffIds.add(Digest.parse(ids.get(i)));
            } catch (InvalidDigestException e) {
                throw rootfs.error("diff_ids[" + i + "]", e.getMessage());
            }
        }
        return new ImageConfig(f.optString("created"), f.optString("author"), f.string("architecture"),
                f.string("os"), f.optString("os.version"), f.strings("os.features"), f.optString("variant"),
                f.optObject("config").map(Config::read).orElse(Config.EMPTY), diffIds,
                f.objects("history", History::read));
    }

    public Json.Obj toJson() {
        return new ObjBuilder()
                .opt("created", created)
                .opt("author", author)
                .put("architecture", architecture)
                .put("os", os)
                .opt("os.version", osVersion)
                .nonEmpty("os.features", osFeatures)
                .opt("variant", variant)
                .put("config", config.toJson())
                .put("rootfs", new ObjBuilder()
                        .put("type", "layers")
                        .put("diff_ids", Json.strings(diffIds.stream().map(Digest::toString).toList()))
                        .build())
                .nonEmptyArr("history", history.stream().map(History::toJson).toList())
                .build();
    }

    public byte[] toBytes() {
        return JsonCodec.write(toJson());
    }
}
