package io.berth.registry.storage;

import io.berth.spec.Digest;
import io.berth.spec.InvalidDigestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Blobs as files under {@code blobs/<algorithm>/<first two>/<encoded>} ({@link FsLayout}). */
final class FsBlobStore implements BlobStore {
    private final FsLayout layout;

    FsBlobStore(FsLayout layout) {
        this.layout = layout;
    }

    @Override
    public Optional<Long> size(Digest digest) {
        try {
            return Optional.of(Files.readAttributes(layout.blob(digest), BasicFileAttributes.class).size());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("stat blob " + digest, e);
        }
    }

    @Override
    public Optional<BlobContent> open(Digest digest) {
        return size(digest).map(s -> new BlobContent.LocalFile(layout.blob(digest), s));
    }

    @Override
    public Optional<byte[]> read(Digest digest) {
        return FsLayout.readIfExists(layout.blob(digest));
    }

    @Override
    public void put(Digest digest, byte[] bytes) {
        if (size(digest).isPresent()) {
            touch(digest);
        } else {
            layout.writeAtomic(layout.blob(digest), bytes);
        }
    }

    /** Moves a complete, fsynced and verified file into place as blob {@code digest}. */
    void adopt(Path file, Digest digest) throws IOException {
        if (size(digest).isPresent()) {
            // "the registry may securely only store one copy of the layer since the computed digests match"
            Files.delete(file);
            touch(digest);
        } else {
            layout.moveInto(file, layout.blob(digest));
        }
    }

    @Override
    public void touch(Digest digest) {
        try {
            Files.setLastModifiedTime(layout.blob(digest), FileTime.fromMillis(System.currentTimeMillis()));
        } catch (NoSuchFileException e) {
            // deleted meanwhile: nothing to protect
        } catch (IOException e) {
            throw new UncheckedIOException("touch blob " + digest, e);
        }
    }

    @Override
    public boolean delete(Digest digest) {
        return FsLayout.delete(layout.blob(digest));
    }

    @Override
    public boolean deleteIfUntouchedSince(Digest digest, Instant cutoff) {
        try {
            if (!Files.getLastModifiedTime(layout.blob(digest)).toInstant().isBefore(cutoff)) {
                return false;
            }
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("stat blob " + digest, e);
        }
        return delete(digest);
    }

    @Override
    public void forEach(Consumer<BlobInfo> visitor) {
        try (Stream<Path> files = Files.walk(layout.blobsDir())) {
            files.forEach(p -> {
                Path rel = layout.blobsDir().relativize(p);
                if (rel.getNameCount() != 3) {
                    return;
                }
                Digest d;
                try {
                    d = new Digest(rel.getName(0).toString(), rel.getName(2).toString());
                } catch (InvalidDigestException e) {
                    return; // not ours
                }
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        visitor.accept(new BlobInfo(d, a.size(), a.lastModifiedTime().toInstant()));
                    }
                } catch (NoSuchFileException e) {
                    // removed while walking
                } catch (IOException e) {
                    throw new UncheckedIOException("stat " + p, e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("list blobs under " + layout.blobsDir(), e);
        }
    }
}
