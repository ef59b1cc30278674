package io.berth.spec;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.JsonException;
import io.berth.spec.json.ObjBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An image manifest (image-spec manifest.md), OCI or Docker schema2 (same shape).
 * {@code schemaVersion} MUST be 2; {@code config} and {@code layers} are REQUIRED.
 */
public record Manifest(
        Optional<MediaType> mediaType,
        Optional<String> artifactType,
        Descriptor config,
        List<Descriptor> layers,
        Optional<Descriptor> subject,
        Map<String, String> annotations) {

    public Manifest {
        layers = List.copyOf(layers);
        annotations = Map.copyOf(annotations);
    }

    /** A plain OCI image manifest. */
    public static Manifest oci(Descriptor config, List<Descriptor> layers, Map<String, String> annotations) {
        return new Manifest(Optional.of(MediaType.Known.OCI_MANIFEST), Optional.empty(), config, layers,
                Optional.empty(), annotations);
    }

    /** The media type to use when this manifest is referenced: its own field, else OCI's. */
    public MediaType effectiveMediaType() {
        return mediaType.orElse(MediaType.Known.OCI_MANIFEST);
    }

    public static Manifest parse(byte[] bytes) {
        return read(JsonCodec.parseObject(bytes, "manifest"));
    }

    public static Manifest read(Fields f) {
        long v = f.longValue("schemaVersion", Long.MIN_VALUE, Long.MAX_VALUE);
        if (v != 2) {
            throw f.error("schemaVersion", "must be 2, found " + v);
        }
        Optional<MediaType> mt = f.optString("mediaType").map(MediaType::of);
        if (mt.isPresent() && !mt.get().isManifest()) {
            throw f.error("mediaType", "\"" + mt.get().value() + "\" is not an image manifest media type");
        }
        if (!f.has("layers") && !f.hasArray("layers")) {
            throw f.error("layers", "required field is missing");
        }
        return new Manifest(mt, f.optString("artifactType"), Descriptor.read(f.object("config")),
                f.objects("layers", Descriptor::read), f.optObject("subject").map(Descriptor::read),
                f.stringMap("annotations"));
    }

    public Json.Obj toJson() {
        return new ObjBuilder()
                .put("schemaVersion", 2)
                .opt("mediaType", mediaType.map(MediaType::value))
                .opt("artifactType", artifactType)
                .put("config", config.toJson())
                .put("layers", Json.arr(layers.stream().map(Descriptor::toJson).toList()))
                .opt("subject", subject.map(Descriptor::toJson))
                .nonEmpty("annotations", annotations)
                .build();
    }

    /** Deterministic compact bytes; hash these, not a re-encoding of parsed input. */
    public byte[] toBytes() {
        return JsonCodec.write(toJson());
    }

    /** Checks that a parsed manifest's config is a config and layers are layers (for writers). */
    public static void requireImage(Manifest m) {
        if (m.artifactType.isEmpty() && !m.config.mediaType().isConfig()) {
            throw new JsonException("manifest.config.mediaType: \"" + m.config.mediaType().value()
                    + "\" is not an image config media type");
        }
    }
}
