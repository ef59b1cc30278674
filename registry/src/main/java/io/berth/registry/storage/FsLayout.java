package io.berth.registry.storage;

import io.berth.registry.RepositoryName;
import io.berth.spec.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.UUID;

/**
 * The on-disk layout of filesystem storage, and the one way anything is written into it:
 * a temporary file under {@code tmp/} (same filesystem), fsynced, renamed over the target, and the
 * target's directory fsynced. After a crash a reader sees the old file or the new one, never a part.
 *
 * <pre>
 * ROOT/blobs/sha256/ab/abcd…                         blob bytes, stored once for every repository
 * ROOT/uploads/UUID/state                            "repository\noffset\nalgorithm\nstarted-epoch-ms"
 * ROOT/uploads/UUID/data                             bytes received; only the first offset bytes count
 * ROOT/repositories/NAME/_layers/sha256/abcd…        link: the repository may serve this blob
 * ROOT/repositories/NAME/_manifests/sha256/abcd…     the repository holds this manifest; content: media type
 * ROOT/repositories/NAME/_tags/TAG                   content: the manifest digest
 * ROOT/repositories/NAME/_referrers/sha256/SUBJ/sha256-abcd…   content: the referrer's descriptor (JSON)
 * ROOT/tmp/                                          temporary files, renamed into place or removed by GC
 * </pre>
 *
 * Repository names never have a component starting with {@code _} ({@link RepositoryName}), so
 * {@code NAME/_tags} cannot clash with a child repository {@code NAME/x}.
 */
public final class FsLayout {
    private final Path root;
    private final Path blobs;
    private final Path uploads;
    private final Path repositories;
    private final Path tmp;
    private final boolean sync;

    private FsLayout(Path root, boolean sync) {
        this.root = root;
        this.sync = sync;
        this.blobs = root.resolve("blobs");
        this.uploads = root.resolve("uploads");
        this.repositories = root.resolve("repositories");
        this.tmp = root.resolve("tmp");
    }

    static FsLayout open(Path root, boolean sync) {
        FsLayout l = new FsLayout(root.toAbsolutePath().normalize(), sync);
        for (Path p : new Path[] {l.blobs, l.uploads, l.repositories, l.tmp}) {
            try {
                Files.createDirectories(p);
            } catch (IOException e) {
                throw new UncheckedIOException("create storage directory " + p, e);
            }
        }
        return l;
    }

    public Path root() {
        return root;
    }

    Path blobsDir() {
        return blobs;
    }

    Path blob(Digest d) {
        String e = d.encoded();
        // unregistered algorithms may have one-character encodings
        return blobs.resolve(d.algorithm()).resolve(e.length() < 2 ? e : e.substring(0, 2)).resolve(e);
    }

    Path uploadsDir() {
        return uploads;
    }

    Path upload(String id) {
        return uploads.resolve(id);
    }

    Path repositoriesDir() {
        return repositories;
    }

    Path repository(RepositoryName name) {
        return repositories.resolve(name.value());
    }

    Path tmpDir() {
        return tmp;
    }

    /** A fresh path in {@code tmp/}, on the same filesystem as every target. */
    Path newTemp() {
        return tmp.resolve(UUID.randomUUID().toString());
    }

    /** Writes {@code bytes} to {@code target} atomically and durably (temp, fsync, rename, fsync dir). */
    void writeAtomic(Path target, byte[] bytes) {
        Path t = newTemp();
        try {
            try (FileChannel ch = FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                sync(ch, true);
            }
            moveInto(t, target);
        } catch (IOException e) {
            deleteQuietly(t);
            throw new UncheckedIOException("write " + target, e);
        }
    }

    /** Renames a complete, fsynced file over {@code target} and fsyncs the target's directory. */
    void moveInto(Path source, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("rename " + source + " to " + target + ": not atomic on this filesystem", e);
        }
        fsyncDir(target.getParent());
    }

    void fsyncDir(Path dir) throws IOException {
        if (!sync) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** fsync (fdatasync without metaData), unless this storage runs without (see {@link Storage#filesystem(Path, boolean)}). */
    void sync(FileChannel ch, boolean metaData) throws IOException {
        if (sync) {
            ch.force(metaData);
        }
    }

    /** Reads a small file; empty if it does not exist. */
    /**
     * One {@code stat}: the file's identity (device and inode) and modification time, null if it does
     * not exist. Every write is a rename of a new file, so a rewrite changes the inode even when the
     * clock's resolution would hide it.
     */
    static Object version(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return new FileVersion(a.fileKey(), a.lastModifiedTime(), a.size());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("stat " + p, e);
        }
    }

    private record FileVersion(Object key, FileTime modified, long size) {}

    static Optional<byte[]> readIfExists(Path p) {
        try {
            return Optional.of(Files.readAllBytes(p));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("read " + p, e);
        }
    }

    /** Deletes a file; false if it did not exist. */
    static boolean delete(Path p) {
        try {
            return Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("delete " + p, e);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a leftover in tmp/ is removed by GC
        }
    }
}
