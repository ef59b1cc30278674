package io.berth.image.store;

import io.berth.spec.Descriptor;
import java.io.IOException;
import java.io.InputStream;

/**
 * Where blob bytes come from (a content store, a registry, a test fixture). Callers that need the
 * bytes verified wrap the stream; the content store only ever hands out verified blobs.
 */
@FunctionalInterface
public interface BlobSource {
    /** Opens the blob a descriptor points to; the caller closes the stream. */
    InputStream open(Descriptor descriptor) throws IOException;
}
