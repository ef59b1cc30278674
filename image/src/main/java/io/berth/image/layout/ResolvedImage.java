package io.berth.image.layout;

import io.berth.spec.Descriptor;
import io.berth.spec.ImageConfig;
import io.berth.spec.Manifest;
import java.util.Optional;

/**
 * An image picked out of a layout: the index it was chosen from (when the name points at one), the
 * platform's manifest, and its config.
 */
public record ResolvedImage(
        Optional<Descriptor> indexDescriptor,
        Descriptor manifestDescriptor,
        Manifest manifest,
        ImageConfig config) {}
