package io.berth.registry.storage;

import java.nio.file.Path;

/** The capabilities a registry needs from its storage, each its own small interface. */
public record Storage(BlobStore blobs, UploadStore uploads, Links links, Manifests manifests, Tags tags,
        Referrers referrers, Catalog catalog) {

    /** Filesystem storage under {@code root} (created if missing), every write fsynced. See {@link FsLayout}. */
    public static Storage filesystem(Path root) {
        return filesystem(root, true);
    }

    /**
     * Filesystem storage; with {@code sync} false nothing is fsynced: writes stay atomic (temp file and
     * rename), so a killed server loses nothing, but a power loss may lose the latest uploads
     * (CNCF distribution and zot's defaults). Pushes of large layers are then ~1.5x faster here.
     */
    public static Storage filesystem(Path root, boolean sync) {
        FsLayout layout = FsLayout.open(root, sync);
        FsBlobStore blobs = new FsBlobStore(layout);
        FsRepositoryStore repos = new FsRepositoryStore(layout);
        return new Storage(blobs, new FsUploadStore(layout, blobs), repos, repos, repos, repos, repos);
    }
}
