package io.berth.registry;

import io.berth.registry.Registry.Parsed;
import io.berth.registry.storage.Storage;
import io.berth.spec.Descriptor;
import io.berth.spec.Index;
import io.berth.spec.Manifest;
import io.berth.spec.MediaType;
import io.berth.spec.json.Fields;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.JsonException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Validation of a pushed manifest (distribution-spec "Pushing Manifests"). */
final class ManifestCheck {
    private ManifestCheck() {}

    /**
     * Parses a manifest and settles its media type: the {@code Content-Type} (parameters ignored: "The
     * registry SHOULD ignore parameters on the Content-Type header"), which must agree with the
     * {@code mediaType} field when both are present ("If a manifest includes a mediaType field, clients
     * MUST set the Content-Type header to the value specified by the mediaType field").
     */
    static Parsed parse(byte[] bytes, Optional<String> contentType) {
        Fields f;
        try {
            f = JsonCodec.parseObject(bytes, "manifest");
        } catch (JsonException e) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID, e.getMessage(), e);
        }
        Optional<String> ct = contentType.map(c -> c.split(";", 2)[0].trim().toLowerCase(Locale.ROOT))
                .filter(c -> !c.isEmpty() && !c.equals("application/octet-stream") && !c.equals("application/json"));
        Optional<String> field;
        try {
            field = f.optString("mediaType");
        } catch (JsonException e) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID, e.getMessage(), e);
        }
        if (ct.isPresent() && field.isPresent() && !ct.get().equals(field.get())) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID, "Content-Type " + ct.get()
                    + " does not match the manifest's mediaType " + field.get());
        }
        String mt = ct.or(() -> field).orElseGet(() -> f.has("manifests") ? MediaType.Known.OCI_INDEX.value()
                : MediaType.Known.OCI_MANIFEST.value());
        MediaType type = MediaType.of(mt);
        try {
            if (type.isManifest()) {
                return new Parsed(mt, Optional.of(Manifest.read(f)), Optional.empty());
            }
            if (type.isIndex()) {
                return new Parsed(mt, Optional.empty(), Optional.of(Index.read(f)));
            }
        } catch (JsonException | IllegalArgumentException e) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID, e.getMessage(), e);
        }
        throw new RegistryException(ErrorCode.MANIFEST_INVALID, "unsupported manifest media type \"" + mt + "\"");
    }

    /**
     * "A registry MAY reject a manifest ... with descriptors in other fields that reference a manifest or
     * blob that does not exist in the registry. When a manifest is rejected for this reason, it MUST
     * result in one or more MANIFEST_BLOB_UNKNOWN errors." The {@code subject} is not checked: "A
     * registry MUST initially accept an otherwise valid manifest with a subject field that references a
     * manifest that does not exist". Layers that name {@code urls} (non-distributable) need not exist.
     */
    static void requireReferencedContent(Parsed p, RepositoryName repo, Storage storage) {
        List<String> missing = new ArrayList<>();
        p.manifest().ifPresent(m -> {
            requireBlob(m.config(), repo, storage, missing);
            for (Descriptor l : m.layers()) {
                if (l.urls().isEmpty()) {
                    requireBlob(l, repo, storage, missing);
                }
            }
        });
        p.index().ifPresent(ix -> {
            for (Descriptor c : ix.manifests()) {
                if (storage.manifests().mediaType(repo, c.digest()).isEmpty()) {
                    missing.add(c.digest().toString());
                } else {
                    storage.blobs().touch(c.digest());
                }
            }
        });
        if (!missing.isEmpty()) {
            throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN,
                    "manifest references content unknown in repository " + repo + ": " + String.join(", ", missing));
        }
    }

    private static void requireBlob(Descriptor d, RepositoryName repo, Storage storage, List<String> missing) {
        if (!storage.links().isLinked(repo, d.digest()) || storage.blobs().size(d.digest()).isEmpty()) {
            missing.add(d.digest().toString());
        } else {
            // a client that found the blob with HEAD did not upload it: refresh its time so a GC
            // running now keeps it for the grace period
            storage.blobs().touch(d.digest());
        }
    }
}
