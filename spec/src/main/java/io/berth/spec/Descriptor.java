package io.berth.spec;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.ObjBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A content descriptor (image-spec descriptor.md, "Properties"): mediaType, digest and size are
 * REQUIRED; urls, annotations, data and artifactType are OPTIONAL. {@code platform} is only meaningful
 * in an index's {@code manifests} (image-index.md).
 *
 * @param data base64 of the embedded content, when present (descriptor.md "data")
 */
public record Descriptor(
        MediaType mediaType,
        Digest digest,
        long size,
        List<String> urls,
        Map<String, String> annotations,
        Optional<String> data,
        Optional<String> artifactType,
        Optional<Platform> platform) {

    /** Annotation naming a tag in an image layout's index.json (annotations.md). */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    public Descriptor {
        if (size < 0) {
            throw new IllegalArgumentException("descriptor " + digest + ": size " + size + " is negative");
        }
        urls = List.copyOf(urls);
        annotations = Map.copyOf(annotations);
    }

    public static Descriptor of(MediaType mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, List.of(), Map.of(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    public static Descriptor forContent(MediaType mediaType, byte[] content) {
        return of(mediaType, Digest.sha256(content), content.length);
    }

    public Descriptor withAnnotations(Map<String, String> a) {
        return new Descriptor(mediaType, digest, size, urls, a, data, artifactType, platform);
    }

    public Descriptor withPlatform(Optional<Platform> p) {
        return new Descriptor(mediaType, digest, size, urls, annotations, data, artifactType, p);
    }

    /** The {@code org.opencontainers.image.ref.name} annotation, if any. */
    public Optional<String> refName() {
        return Optional.ofNullable(annotations.get(REF_NAME));
    }

    public static Descriptor read(Fields f) {
        Digest digest;
        String d = f.string("digest");
        try {
            digest = Digest.parse(d);
        } catch (InvalidDigestException e) {
            throw f.error("digest", e.getMessage());
        }
        return new Descriptor(
                MediaType.of(nonEmpty(f, "mediaType")),
                digest,
                f.longValue("size", 0, Long.MAX_VALUE),
                f.strings("urls"),
                f.stringMap("annotations"),
                f.optString("data"),
                f.optString("artifactType"),
                f.optObject("platform").map(Platform::read));
    }

    private static String nonEmpty(Fields f, String name) {
        String s = f.string(name);
        if (s.isEmpty()) {
            throw f.error(name, "must not be empty");
        }
        return s;
    }

    public Json.Obj toJson() {
        return new ObjBuilder()
                .put("mediaType", mediaType.value())
                .put("digest", digest.toString())
                .put("size", size)
                .nonEmpty("urls", urls)
                .nonEmpty("annotations", annotations)
                .opt("data", data)
                .opt("artifactType", artifactType)
                .opt("platform", platform.map(Platform::toJson))
                .build();
    }
}
