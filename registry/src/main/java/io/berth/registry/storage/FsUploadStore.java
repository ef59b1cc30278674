package io.berth.registry.storage;

import io.berth.registry.ErrorCode;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.spec.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Upload sessions as directories {@code uploads/<uuid>/} holding {@code data} and {@code state}
 * ({@link FsLayout}). A chunk is written after the committed offset, fsynced, and only then is the new
 * offset written (atomically) to {@code state}; bytes past the committed offset (from a writer killed
 * mid-chunk) are cut off by the next append. Writers of one session are serialised by an in-process
 * lock and a file lock on {@code data}, so two processes over one directory take turns.
 *
 * <p>The digest is computed while bytes stream in. The running hash is kept in this process's memory
 * as an optimisation only: when the session was continued by another process (or this one restarted),
 * {@link #finish} hashes the file again, so correctness never depends on memory.
 */
final class FsUploadStore implements UploadStore {
    private static final Pattern UUID_RE = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final int BUFFER = 256 * 1024;

    private final FsLayout layout;
    private final FsBlobStore blobs;
    private final ReentrantLock[] stripes = new ReentrantLock[64];
    /** Running hashes by session id: valid only while their offset equals the session's offset. */
    private final Map<String, RunningHash> hashes = new ConcurrentHashMap<>();

    private record RunningHash(long offset, MessageDigest md) {}

    FsUploadStore(FsLayout layout, FsBlobStore blobs) {
        this.layout = layout;
        this.blobs = blobs;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    @Override
    public Upload start(RepositoryName repository, String algorithm) {
        Digest.hasher(algorithm); // refuses what we cannot compute
        String id = UUID.randomUUID().toString();
        Path dir = layout.upload(id);
        try {
            Files.createDirectories(dir);
            Files.createFile(dir.resolve("data"));
        } catch (IOException e) {
            throw new UncheckedIOException("create upload " + dir, e);
        }
        Upload u = new Upload(id, repository, 0, algorithm, Instant.ofEpochMilli(System.currentTimeMillis()));
        writeState(u);
        return u;
    }

    @Override
    public Optional<Upload> get(RepositoryName repository, String id) {
        return readState(id).filter(u -> u.repository().equals(repository));
    }

    @Override
    public Upload append(RepositoryName repository, String id, OptionalLong start, OptionalLong length,
            InputStream body) {
        return locked(id, () -> {
            Upload u = require(repository, id);
            if (start.isPresent() && start.getAsLong() != u.offset()) {
                // "If a chunk is uploaded out of order, the registry MUST respond with a 416"
                throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID,
                        RegistryException.Status.RANGE_NOT_SATISFIABLE,
                        "upload " + id + ": chunk starts at " + start.getAsLong() + ", expected " + u.offset(), null);
            }
            return write(u, length, body);
        });
    }

    private Upload write(Upload u, OptionalLong length, InputStream body) {
        RunningHash cached = hashes.get(u.id());
        MessageDigest md = null;
        if (cached != null && cached.offset() == u.offset()) {
            try {
                md = (MessageDigest) cached.md().clone();
            } catch (CloneNotSupportedException e) {
                md = null; // the provider cannot clone: finish() hashes the file instead
            }
        } else if (u.offset() == 0) {
            md = Digest.bulkHasher(u.algorithm());
        }
        long n = 0;
        Path data = layout.upload(u.id()).resolve("data");
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.WRITE)) {
            ch.truncate(u.offset()); // drop what a killed writer left past the committed offset
            ch.position(u.offset());
            byte[] buf = new byte[BUFFER];
            int r;
            while ((r = body.read(buf)) > 0) {
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, r);
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
                if (md != null) {
                    md.update(buf, 0, r);
                }
                n += r;
            }
            if (length.isPresent() && length.getAsLong() != n) {
                throw new RegistryException(ErrorCode.SIZE_INVALID, "upload " + u.id() + ": chunk of "
                        + length.getAsLong() + " bytes announced, " + n + " received");
            }
            layout.sync(ch, false);
        } catch (NoSuchFileException e) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload " + u.id() + " is gone", e);
        } catch (IOException e) {
            throw new UncheckedIOException("upload " + u.id() + ": write chunk to " + data, e);
        }
        Upload next = new Upload(u.id(), u.repository(), u.offset() + n, u.algorithm(), u.started());
        writeState(next);
        if (md != null) {
            hashes.put(u.id(), new RunningHash(next.offset(), md));
        } else {
            hashes.remove(u.id());
        }
        return next;
    }

    @Override
    public long finish(RepositoryName repository, String id, Digest expected) {
        return locked(id, () -> {
            Upload u = require(repository, id);
            Path dir = layout.upload(id);
            Path data = dir.resolve("data");
            try {
                Digest actual = digestOf(u, data, expected.algorithm());
                if (!actual.equals(expected)) {
                    removeSession(id);
                    throw new RegistryException(ErrorCode.DIGEST_INVALID,
                            "upload " + id + ": content has digest " + actual + ", not " + expected);
                }
                Path ready = layout.newTemp();
                Files.move(data, ready);
                try (FileChannel ch = FileChannel.open(ready, StandardOpenOption.WRITE)) {
                    ch.truncate(u.offset());
                }
                blobs.adopt(ready, expected);
                removeSession(id);
                return u.offset();
            } catch (IOException e) {
                throw new UncheckedIOException("upload " + id + ": store blob " + expected, e);
            }
        });
    }

    private Digest digestOf(Upload u, Path data, String algorithm) throws IOException {
        RunningHash h = hashes.get(u.id());
        if (h != null && h.offset() == u.offset() && algorithm.equals(u.algorithm())) {
            return Digest.fromHash(algorithm, h.md().digest());
        }
        MessageDigest md = Digest.bulkHasher(algorithm);
        try (InputStream in = Files.newInputStream(data)) {
            byte[] buf = new byte[BUFFER];
            long left = u.offset();
            int r;
            while (left > 0 && (r = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
                md.update(buf, 0, r);
                left -= r;
            }
        }
        return Digest.fromHash(algorithm, md.digest());
    }

    @Override
    public boolean cancel(RepositoryName repository, String id) {
        if (get(repository, id).isEmpty()) {
            return false;
        }
        return locked(id, () -> {
            if (get(repository, id).isEmpty()) {
                return false;
            }
            removeSession(id);
            return true;
        });
    }

    @Override
    public void purge(String id) {
        locked(id, () -> {
            removeSession(id);
            return null;
        });
    }

    @Override
    public void forEach(Consumer<Upload> visitor) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(layout.uploadsDir())) {
            for (Path p : ds) {
                readState(p.getFileName().toString()).ifPresent(visitor);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("list uploads in " + layout.uploadsDir(), e);
        }
    }

    @Override
    public int purgeTemporary(Instant cutoff) {
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(layout.tmpDir())) {
            for (Path p : ds) {
                try {
                    if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff) && Files.deleteIfExists(p)) {
                        n++;
                    }
                } catch (NoSuchFileException e) {
                    // renamed into place meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("clean " + layout.tmpDir(), e);
        }
        return n;
    }

    private Upload require(RepositoryName repository, String id) {
        return get(repository, id).orElseThrow(() -> new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN,
                "upload " + id + " unknown in repository " + repository));
    }

    private void removeSession(String id) {
        hashes.remove(id);
        Path dir = layout.upload(id);
        // state first: once it is gone, no other process treats the session as live
        FsLayout.delete(dir.resolve("state"));
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(FsLayout::delete);
        } catch (NoSuchFileException e) {
            // already removed
        } catch (IOException e) {
            throw new UncheckedIOException("remove upload " + dir, e);
        }
    }

    private Optional<Upload> readState(String id) {
        if (!UUID_RE.matcher(id).matches()) {
            return Optional.empty();
        }
        return FsLayout.readIfExists(layout.upload(id).resolve("state")).flatMap(b -> {
            String[] lines = new String(b, StandardCharsets.UTF_8).split("\n");
            if (lines.length != 4) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Upload(id, RepositoryName.of(lines[0]), Long.parseLong(lines[1]), lines[2],
                        Instant.ofEpochMilli(Long.parseLong(lines[3]))));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    private void writeState(Upload u) {
        String s = u.repository().value() + "\n" + u.offset() + "\n" + u.algorithm() + "\n"
                + u.started().toEpochMilli() + "\n";
        layout.writeAtomic(layout.upload(u.id()).resolve("state"), s.getBytes(StandardCharsets.UTF_8));
    }

    private interface Work<T> {
        T run();
    }

    /** Runs {@code work} holding this process's lock for the session and a file lock on its data. */
    private <T> T locked(String id, Work<T> work) {
        if (!UUID_RE.matcher(id).matches()) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload " + id + " unknown");
        }
        ReentrantLock l = stripes[Math.floorMod(id.hashCode(), stripes.length)];
        l.lock();
        try {
            Path data = layout.upload(id).resolve("data");
            FileChannel ch;
            try {
                ch = FileChannel.open(data, StandardOpenOption.WRITE);
            } catch (NoSuchFileException e) {
                throw new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload " + id + " unknown", e);
            }
            try (ch) {
                FileLock lock = ch.lock();
                try {
                    return work.run();
                } finally {
                    lock.release();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("lock upload " + id, e);
        } finally {
            l.unlock();
        }
    }
}
