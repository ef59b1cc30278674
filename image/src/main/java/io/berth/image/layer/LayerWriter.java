package io.berth.image.layer;

import com.github.luben.zstd.ZstdOutputStream;
import io.berth.image.ImageException;
import io.berth.image.fs.Mknod;
import io.berth.image.io.ChunkPipe;
import io.berth.image.store.ContentStore;
import io.berth.spec.Compression;
import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.MediaType;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a layer (layer.md) from a directory, or from the change between a lower and an upper
 * directory ("Change Types": additions, modifications, removals as whiteouts), streaming
 * tar → diffID hash → compressor → blob hash → the content store in one pass.
 *
 * <p>Deterministic: entries in byte order of their paths, empty user/group names, no atime/ctime, and
 * with {@code sourceDateEpoch} every mtime clamped to it (reproducible-builds.org SOURCE_DATE_EPOCH),
 * so the same tree gives the same digests. Hardlinks within the layer are written as link entries to
 * the first path of the inode ("Hardlinks").
 */
public final class LayerWriter {
    static final int BUFFER = 256 * 1024;
    /** Whiteout prefix and opaque marker (layer.md "Whiteouts"). */
    public static final String WHITEOUT_PREFIX = ".wh.";
    public static final String OPAQUE = ".wh..wh..opq";
    /** zstd level: 3 is zstd's default, the speed/ratio point `zstd` uses. */
    static final int ZSTD_LEVEL = 3;

    private LayerWriter() {}

    /**
     * Writes a layer from {@code dir} (whole, or its change from {@code lower}) into {@code store}.
     * Two threads: this one walks the tree and writes the tar, hashing it (the diffID); a second one
     * compresses and hashes the blob as it goes into the store. They meet in a bounded
     * {@link ChunkPipe}, so the layer is never held in memory.
     */
    public static LayerResult write(ContentStore store, Path dir, Optional<Path> lower, Compression compression,
            Optional<Instant> sourceDateEpoch) {
        ChunkPipe pipe = new ChunkPipe(32);
        try (ContentStore.Ingest blob = store.begin(Digest.SHA256, OptionalLong.empty());
                ExecutorService compressorThread = Executors.newSingleThreadExecutor(Thread.ofVirtual().factory())) {
            Future<ContentStore.Written> written = compressorThread.submit(() -> {
                try (InputStream tarBytes = pipe.source();
                        OutputStream compressed = compressor(compression, new NoClose(blob))) {
                    tarBytes.transferTo(compressed);
                } catch (IOException | RuntimeException e) {
                    pipe.cancel();
                    throw e;
                }
                return blob.commit(Optional.empty());
            });
            MessageDigest diffHash = Digest.bulkHasher(Digest.SHA256);
            long uncompressed;
            try {
                uncompressed = writeTar(dir, lower, sourceDateEpoch, pipe.sink(), diffHash);
            } catch (IOException | RuntimeException e) {
                pipe.fail(e);
                throw e;
            } finally {
                pipe.end();
            }
            ContentStore.Written w = written.get();
            Descriptor desc = Descriptor.of(MediaType.ociLayer(compression), w.digest(), w.size());
            return new LayerResult(desc, Digest.fromHash(Digest.SHA256, diffHash.digest()), uncompressed);
        } catch (IOException e) {
            throw new UncheckedIOException("write layer from " + dir, e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw new UncheckedIOException("write layer from " + dir, io);
                case RuntimeException re -> throw re;
                default -> throw new ImageException("write layer from " + dir + ": " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("write layer from " + dir + ": interrupted", e);
        }
    }

    /** Writes the tar into {@code out}, hashing it; returns its length. */
    private static long writeTar(Path dir, Optional<Path> lower, Optional<Instant> sourceDateEpoch, OutputStream out,
            MessageDigest diffHash) throws IOException {
        long[] uncompressed = {0};
        OutputStream hashing = new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                diffHash.update(b, off, len);
                uncompressed[0] += len;
                out.write(b, off, len);
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void close() throws IOException {
                flush(); // the pipe is ended by the caller, after success or failure
            }
        };
        try (BufferedOutputStream buffered = new BufferedOutputStream(hashing, BUFFER)) {
            TarWriter tar = new TarWriter(buffered);
            Writer w = new Writer(tar, sourceDateEpoch.map(FileTime::from));
            if (lower.isPresent()) {
                new TreeDiff(w).diffDir(lower.get(), dir, "");
            } else {
                w.addTree(dir, "");
            }
            tar.finish();
        }
        return uncompressed[0];
    }

    static OutputStream compressor(Compression c, OutputStream out) throws IOException {
        return switch (c) {
            case NONE -> out;
            // java.util.zip writes a fixed header (no name, mtime 0), level 6 as gzip's default.
            // pigz-style: 1 MiB blocks deflated in parallel, each primed with the previous 32 KiB;
            // the bytes depend on the input and level only, never on the thread count.
            case GZIP -> new ParallelGzipOutputStream(out, 6, Runtime.getRuntime().availableProcessors());
            case ZSTD -> {
                ZstdOutputStream z = new ZstdOutputStream(out, ZSTD_LEVEL);
                z.setChecksum(false);
                // Multi-threaded zstd frames do not depend on the worker count (any >= 1), so a fixed
                // count keeps digests the same on every machine while compressing on two cores.
                z.setWorkers(2);
                yield z;
            }
        };
    }

    /** Keeps the compressor's close from closing the blob being committed. */
    private static final class NoClose extends FilterOutputStream {
        NoClose(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    /** Emits tar entries; remembers inodes already written for hardlinks. */
    static final class Writer {
        private final TarWriter tar;
        private final Optional<FileTime> clamp;
        private final Map<String, String> inodes = new HashMap<>();
        private final byte[] buf = new byte[BUFFER];

        Writer(TarWriter tar, Optional<FileTime> clamp) {
            this.tar = tar;
            this.clamp = clamp;
        }

        /** Every object under {@code dir}, named under {@code prefix}. */
        void addTree(Path dir, String prefix) throws IOException {
            for (Path child : FsEntry.children(dir)) {
                String name = prefix + child.getFileName();
                FsEntry e = FsEntry.read(child, name);
                add(e);
                if (e.type() == FsEntry.Type.DIR) {
                    addTree(child, name + "/");
                }
            }
        }

        void add(FsEntry e) throws IOException {
            if (e.type() == FsEntry.Type.SOCKET) {
                return; // sockets cannot be carried in a tar; tar and umoci skip them too
            }
            String inodeKey = e.dev() + ":" + e.ino();
            String first = e.type() == FsEntry.Type.FILE && e.nlink() > 1 ? inodes.putIfAbsent(inodeKey, e.name()) : null;
            char type;
            String name = e.name();
            String link = "";
            if (first != null) {
                type = TarWriter.HARDLINK;
                link = first;
            } else {
                type = switch (e.type()) {
                    case DIR -> TarWriter.DIRECTORY;
                    case FILE -> TarWriter.REGULAR;
                    case SYMLINK -> TarWriter.SYMLINK;
                    case CHAR -> TarWriter.CHAR_DEVICE;
                    case BLOCK -> TarWriter.BLOCK_DEVICE;
                    case FIFO -> TarWriter.FIFO;
                    case SOCKET -> throw new IllegalStateException();
                };
                if (e.type() == FsEntry.Type.DIR) {
                    name = name + "/";
                }
                link = e.linkTarget().orElse("");
            }
            boolean device = type == TarWriter.CHAR_DEVICE || type == TarWriter.BLOCK_DEVICE;
            // Xattr values go into PAX records as bytes (security.capability is binary).
            tar.header(new TarWriter.Header(name, type, e.mode(), e.uid(), e.gid(),
                    type == TarWriter.REGULAR ? e.size() : 0, mtime(e.mtime()), link,
                    device ? (int) Mknod.major(e.rdev()) : 0, device ? (int) Mknod.minor(e.rdev()) : 0,
                    new TreeMap<>(e.xattrs())));
            if (type == TarWriter.REGULAR) {
                copy(e);
            }
            tar.endEntry();
        }

        private void copy(FsEntry e) throws IOException {
            long left = e.size();
            try (InputStream in = Files.newInputStream(e.path())) {
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new ImageException("write layer: " + e.path() + " shrank while being read");
                    }
                    tar.data(buf, 0, n);
                    left -= n;
                }
            }
        }

        private long mtime(FileTime m) {
            long secs = Math.floorDiv(m.toMillis(), 1000);
            if (clamp.isPresent() && secs > clamp.get().toMillis() / 1000) {
                secs = clamp.get().toMillis() / 1000;
            }
            return secs;
        }

        /** A whiteout entry hiding {@code name} of the lower layers (layer.md "Whiteouts"). */
        void whiteout(String parentPrefix, String base) throws IOException {
            tar.header(new TarWriter.Header(parentPrefix + WHITEOUT_PREFIX + base, TarWriter.REGULAR, 0644, 0, 0, 0,
                    clamp.map(c -> c.toMillis() / 1000).orElse(0L), "", 0, 0, new TreeMap<>()));
            tar.endEntry();
        }
    }

    /** The change from a lower tree to an upper tree (layer.md "Determining Changes"). */
    record TreeDiff(Writer w) {
        void diffDir(Path lower, Path upper, String prefix) throws IOException {
            List<Path> lo = FsEntry.children(lower);
            List<Path> up = FsEntry.children(upper);
            Map<String, Path> loByName = new HashMap<>();
            lo.forEach(p -> loByName.put(p.getFileName().toString(), p));
            Map<String, Path> upByName = new HashMap<>();
            up.forEach(p -> upByName.put(p.getFileName().toString(), p));
            // When nothing of the lower directory survives and it had several children, one opaque
            // marker says it all ("Opaque Whiteout").
            boolean opaque = !prefix.isEmpty() && lo.size() > 1 && lo.stream()
                    .noneMatch(p -> upByName.containsKey(p.getFileName().toString()));
            if (opaque) {
                w.whiteout(prefix, OPAQUE.substring(WHITEOUT_PREFIX.length()));
                w.addTree(upper, prefix);
                return;
            }
            java.util.TreeSet<String> names = new java.util.TreeSet<>(FsEntry::compareNames);
            names.addAll(loByName.keySet());
            names.addAll(upByName.keySet());
            for (String n : names) {
                Path l = loByName.get(n);
                Path u = upByName.get(n);
                String name = prefix + n;
                if (u == null) {
                    w.whiteout(prefix, n);
                    continue;
                }
                FsEntry ue = FsEntry.read(u, name);
                if (l == null) {
                    w.add(ue);
                    if (ue.type() == FsEntry.Type.DIR) {
                        w.addTree(u, name + "/");
                    }
                    continue;
                }
                FsEntry le = FsEntry.read(l, name);
                boolean bothDirs = le.type() == FsEntry.Type.DIR && ue.type() == FsEntry.Type.DIR;
                if (bothDirs) {
                    if (!le.sameAs(ue)) {
                        w.add(ue);
                    }
                    diffDir(l, u, name + "/");
                } else if (le.type() != ue.type()) {
                    // A type change: hide the lower object, then add the new one in the same layer.
                    w.whiteout(prefix, n);
                    w.add(ue);
                    if (ue.type() == FsEntry.Type.DIR) {
                        w.addTree(u, name + "/");
                    }
                } else if (!le.sameAs(ue)) {
                    w.add(ue);
                }
            }
        }
    }
}
