package io.berth.registry.storage;

import java.nio.file.Path;

/** The capabilities a registry needs from its storage, each its own small interface. */
public record Storage(BlobStore blobs, UploadStore uploads, Links links, Manifests manifests, Tags tags,
        Referrers referrers, Catalog catalog) {

    /** Filesystem storage under {@code root} (created if missing). See {@link FsLayout} for the layout. */
    public static Storage filesystem(Path root) {
        FsLayout layout = FsLayout.open(root);
        FsBlobStore blobs = new FsBlobStore(layout);
        FsRepositoryStore repos = new FsRepositoryStore(layout);
        return new Storage(blobs, new FsUploadStore(layout, blobs), repos, repos, repos, repos, repos);
    }
}
