package io.berth.spec;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.ObjBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An image index (image-spec image-index.md), also the shape of an image layout's {@code index.json}
 * and of a Docker manifest list. {@code schemaVersion} MUST be 2; {@code manifests} MUST be present
 * (possibly empty).
 */
public record Index(
        Optional<MediaType> mediaType,
        Optional<String> artifactType,
        List<Descriptor> manifests,
        Optional<Descriptor> subject,
        Map<String, String> annotations) {

    public Index {
        manifests = List.copyOf(manifests);
        annotations = Map.copyOf(annotations);
    }

    public static Index of(List<Descriptor> manifests) {
        return new Index(Optional.of(MediaType.Known.OCI_INDEX), Optional.empty(), manifests, Optional.empty(),
                Map.of());
    }

    public Index withManifests(List<Descriptor> m) {
        return new Index(mediaType, artifactType, m, subject, annotations);
    }

    public static Index parse(byte[] bytes) {
        return read(JsonCodec.parseObject(bytes, "index"));
    }

    public static Index parse(byte[] bytes, String what) {
        return read(JsonCodec.parseObject(bytes, what));
    }

    public static Index read(Fields f) {
        long v = f.longValue("schemaVersion", Long.MIN_VALUE, Long.MAX_VALUE);
        if (v != 2) {
            throw f.error("schemaVersion", "must be 2, found " + v);
        }
        Optional<MediaType> mt = f.optString("mediaType").map(MediaType::of);
        if (mt.isPresent() && !mt.get().isIndex()) {
            throw f.error("mediaType", "\"" + mt.get().value() + "\" is not an image index media type");
        }
        if (!f.hasArray("manifests")) {
            throw f.error("manifests", "required array is missing");
        }
        return new Index(mt, f.optString("artifactType"), f.objects("manifests", Descriptor::read),
                f.optObject("subject").map(Descriptor::read), f.stringMap("annotations"));
    }

    public Json.Obj toJson() {
        return new ObjBuilder()
                .put("schemaVersion", 2)
                .opt("mediaType", mediaType.map(MediaType::value))
                .opt("artifactType", artifactType)
                .put("manifests", Json.arr(manifests.stream().map(Descriptor::toJson).toList()))
                .opt("subject", subject.map(Descriptor::toJson))
                .nonEmpty("annotations", annotations)
                .build();
    }

    public byte[] toBytes() {
        return JsonCodec.write(toJson());
    }
}
