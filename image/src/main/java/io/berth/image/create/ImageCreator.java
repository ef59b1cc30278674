package io.berth.image.create;

import io.berth.image.ImageException;
import io.berth.image.layer.LayerResult;
import io.berth.image.layer.LayerWriter;
import io.berth.image.layout.OciLayout;
import io.berth.image.layout.ResolvedImage;
import io.berth.image.store.ContentStore;
import io.berth.spec.Compression;
import io.berth.spec.Descriptor;
import io.berth.spec.ImageConfig;
import io.berth.spec.Manifest;
import io.berth.spec.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Makes a new image in a layout: a base image (or none) plus one new layer made from a directory
 * (or the change from a lower directory to it), with changed execution parameters; writes the
 * config (config.md: the layer's diffID appended to rootfs.diff_ids, a history entry), the manifest
 * (manifest.md) and tags it in index.json (image-layout.md).
 */
public final class ImageCreator {

    /** Where the new layer comes from. */
    public record LayerSource(Path dir, Optional<Path> lower, Compression compression) {}

    /** What to make. {@code sourceDateEpoch} fixes every timestamp (reproducible builds). */
    public record Request(
            Optional<ResolvedImage> base,
            Optional<OciLayout> baseLayout,
            Platform platform,
            Optional<LayerSource> layer,
            ImageChanges changes,
            Optional<Instant> sourceDateEpoch,
            String createdBy) {}

    /** The new image: its manifest descriptor (what the tag points to) and config. */
    public record Created(Descriptor manifest, ImageConfig config) {}

    private ImageCreator() {}

    /** Creates the image in {@code layout} and tags it {@code tag}. */
    @SuppressWarnings("try") // the hold is the point: gc stays out while this image's blobs are untagged
    public static Created create(OciLayout layout, String tag, Request req) {
        try (OciLayout.Hold hold = layout.beginWrite()) {
            return createHeld(layout, tag, req);
        }
    }

    private static Created createHeld(OciLayout layout, String tag, Request req) {
        ImageConfig config;
        List<Descriptor> layers = new ArrayList<>();
        if (req.base().isPresent()) {
            ResolvedImage base = req.base().get();
            OciLayout from = req.baseLayout().orElse(layout);
            if (from != layout) {
                copyBlobs(from.blobs(), layout.blobs(), base.manifest().layers());
            }
            config = base.config();
            layers.addAll(base.manifest().layers());
        } else {
            config = ImageConfig.empty(req.platform());
        }
        Instant now = req.sourceDateEpoch().orElseGet(() -> Instant.now().truncatedTo(ChronoUnit.SECONDS));
        String created = DateTimeFormatter.ISO_INSTANT.format(now);
        if (req.layer().isPresent()) {
            LayerSource src = req.layer().get();
            LayerResult lr = LayerWriter.write(layout.blobs(), src.dir(), src.lower(), src.compression(),
                    req.sourceDateEpoch());
            layers.add(lr.blob());
            config = config.withLayer(lr.diffId(), new ImageConfig.History(Optional.of(created),
                    Optional.of(req.createdBy()), Optional.empty(), Optional.empty(), false));
        }
        config = config.withConfig(req.changes().applyTo(config.config())).withCreated(Optional.of(created));
        Descriptor configDesc = layout.putConfig(config);
        Manifest manifest = Manifest.oci(configDesc, layers, Map.of());
        Descriptor manifestDesc = layout.putManifest(manifest);
        layout.tag(tag, manifestDesc);
        return new Created(manifestDesc, config);
    }

    private static void copyBlobs(ContentStore from, ContentStore to, List<Descriptor> blobs) {
        for (Descriptor d : blobs) {
            if (to.has(d.digest())) {
                continue;
            }
            try (InputStream in = from.open(d.digest())) {
                to.ingest(in, Optional.of(d.digest()), OptionalLong.of(d.size()));
            } catch (IOException e) {
                throw new UncheckedIOException("copy blob " + d.digest(), e);
            } catch (ImageException e) {
                throw new ImageException("copy blob " + d.digest() + " from the base image: " + e.getMessage(), e);
            }
        }
    }
}
