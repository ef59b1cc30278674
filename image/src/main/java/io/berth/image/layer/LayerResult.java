package io.berth.image.layer;

import io.berth.spec.Descriptor;
import io.berth.spec.Digest;

/**
 * A layer written to a store: the blob's descriptor (digest of the compressed bytes) and the diffID
 * (digest of the uncompressed tar, config.md "rootfs.diff_ids"). The two are different digests of
 * different bytes and are never to be swapped.
 */
public record LayerResult(Descriptor blob, Digest diffId, long uncompressedSize) {}
