package io.berth.image.store;

import io.berth.image.ImageException;
import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.ImageLayout;
import io.berth.spec.InvalidDigestException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A content-addressed blob store in image-layout form (image-layout.md "Blobs"):
 * {@code <root>/blobs/<alg>/<encoded>}, where "the content ... MUST match the digest".
 *
 * <p>Ingest streams to a temp file under {@code <root>/.berth-ingest/}, hashing as it writes and
 * checking the expected size as bytes arrive; then fsync and an atomic rename into place. A blob that
 * already exists is kept and the temp dropped, so concurrent writers of the same blob are safe and
 * readers never see a partial blob. The temp directory sits beside {@code blobs/} (same filesystem,
 * so the rename is atomic) and outside it, so layout readers never meet it.
 */
public final class ContentStore implements BlobSource {
    static final String INGEST_DIR = ".berth-ingest";
    private static final int BUFFER = 256 * 1024;

    private final Path root;
    private final Path blobs;

    private ContentStore(Path root) {
        this.root = root;
        this.blobs = root.resolve(ImageLayout.BLOBS_DIR);
    }

    /** A store rooted at {@code root} (the layout directory); creates {@code blobs/} when missing. */
    public static ContentStore open(Path root) {
        try {
            Files.createDirectories(root.resolve(ImageLayout.BLOBS_DIR));
        } catch (IOException e) {
            throw new UncheckedIOException("open content store " + root, e);
        }
        return new ContentStore(root);
    }

    /** What an ingest stored. */
    public record Written(Digest digest, long size) {}

    public Path root() {
        return root;
    }

    /**
     * The file of a blob. The digest's grammar (descriptor.md) admits no {@code /} or {@code ..}, but
     * its algorithm is also checked against the two we store, so no name can step outside blobs/.
     */
    public Path path(Digest d) {
        if (!d.isComputable()) {
            throw new ImageException("blob " + d + ": unsupported digest algorithm " + d.algorithm());
        }
        return blobs.resolve(d.algorithm()).resolve(d.encoded());
    }

    public boolean has(Digest d) {
        return d.isComputable() && Files.isRegularFile(path(d));
    }

    public Optional<Long> size(Digest d) {
        try {
            return Optional.of(Files.size(path(d)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("stat blob " + d, e);
        }
    }

    /** Opens a stored blob. */
    public InputStream open(Digest d) {
        try {
            return Files.newInputStream(path(d));
        } catch (NoSuchFileException e) {
            throw new ImageException("blob " + d + " not found in " + root);
        } catch (IOException e) {
            throw new UncheckedIOException("open blob " + d, e);
        }
    }

    @Override
    public InputStream open(Descriptor descriptor) {
        return open(descriptor.digest());
    }

    /** Reads a whole blob, refusing one larger than {@code maxBytes} (JSON documents, not layers). */
    public byte[] read(Digest d, long maxBytes) {
        long size = size(d).orElseThrow(() -> new ImageException("blob " + d + " not found in " + root));
        if (size > maxBytes) {
            throw new ImageException("blob " + d + ": " + size + " bytes is more than the limit of " + maxBytes);
        }
        try {
            return Files.readAllBytes(path(d));
        } catch (IOException e) {
            throw new UncheckedIOException("read blob " + d, e);
        }
    }

    /** Reads a blob a descriptor points to, checking its size and digest (descriptor.md "Verification"). */
    public byte[] read(Descriptor desc, long maxBytes) {
        if (desc.size() > maxBytes) {
            throw new ImageException("blob " + desc.digest() + ": descriptor size " + desc.size()
                    + " is more than the limit of " + maxBytes);
        }
        byte[] b = read(desc.digest(), maxBytes);
        if (b.length != desc.size()) {
            throw new ImageException("blob " + desc.digest() + ": size is " + b.length + ", descriptor says "
                    + desc.size());
        }
        if (!desc.digest().matches(desc.digest().newHasher().digest(b))) {
            throw new ImageException("blob " + desc.digest() + ": content does not match its digest");
        }
        return b;
    }

    /** Stores bytes (a manifest, a config); returns their sha256 digest. */
    public Written put(byte[] bytes) {
        Digest d = Digest.sha256(bytes);
        if (has(d)) {
            return new Written(d, bytes.length);
        }
        return ingest(new java.io.ByteArrayInputStream(bytes), Optional.of(d), OptionalLong.of(bytes.length));
    }

    /** Ingests a stream with sha256 and no expectations. */
    public Written ingest(InputStream in) {
        return ingest(in, Optional.empty(), OptionalLong.empty());
    }

    /**
     * Streams {@code in} into the store. With an expected digest, its algorithm is used and the content
     * must match; with an expected size, reading more or fewer bytes fails. Nothing unverified is ever
     * renamed into {@code blobs/}.
     */
    public Written ingest(InputStream in, Optional<Digest> expected, OptionalLong expectedSize) {
        try (Ingest w = begin(expected.map(Digest::algorithm).orElse(Digest.SHA256), expectedSize)) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                w.write(buf, 0, n);
            }
            return w.commit(expected);
        } catch (IOException e) {
            throw new UncheckedIOException("ingest blob" + expected.map(d -> " " + d).orElse("") + " into " + root, e);
        }
    }

    /** Starts a streamed write; the caller writes, then {@link Ingest#commit}s (or closes to abort). */
    public Ingest begin(String algorithm, OptionalLong expectedSize) {
        try {
            Path dir = Files.createDirectories(root.resolve(INGEST_DIR));
            Path tmp = io.berth.image.io.TempFiles.file(dir, "ingest-", ".tmp");
            return new Ingest(tmp, Digest.bulkHasher(algorithm), algorithm, expectedSize);
        } catch (IOException e) {
            throw new UncheckedIOException("ingest blob into " + root, e);
        } catch (InvalidDigestException e) {
            throw new ImageException("ingest blob into " + root + ": " + e.getMessage());
        }
    }

    /** An in-progress blob write: an OutputStream that hashes and counts. */
    public final class Ingest extends OutputStream {
        private final Path tmp;
        private final FileChannel ch;
        private final OutputStream out;
        private final MessageDigest md;
        private final String algorithm;
        private final OptionalLong expectedSize;
        private final EarlyWriteback writeback;
        private long written;
        private boolean done;

        private Ingest(Path tmp, MessageDigest md, String algorithm, OptionalLong expectedSize) throws IOException {
            this.tmp = tmp;
            this.ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
            this.out = Channels.newOutputStream(ch);
            this.writeback = new EarlyWriteback(ch);
            this.md = md;
            this.algorithm = algorithm;
            this.expectedSize = expectedSize;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (expectedSize.isPresent() && written + len > expectedSize.getAsLong()) {
                throw new ImageException("ingest blob: more than the expected " + expectedSize.getAsLong() + " bytes");
            }
            md.update(b, off, len);
            out.write(b, off, len);
            written += len;
            writeback.wrote(len);
        }

        public long written() {
            return written;
        }

        /** Verifies, fsyncs and renames into place; returns what was stored. */
        public Written commit(Optional<Digest> expected) throws IOException {
            if (expectedSize.isPresent() && written != expectedSize.getAsLong()) {
                throw new ImageException("ingest blob" + expected.map(d -> " " + d).orElse("") + ": got " + written
                        + " bytes, expected " + expectedSize.getAsLong());
            }
            Digest actual = Digest.fromHash(algorithm, md.digest());
            if (expected.isPresent() && !expected.get().equals(actual)) {
                throw new ImageException("ingest blob: expected " + expected.get() + ", got " + actual);
            }
            writeback.finish();
            ch.force(true);
            ch.close();
            Path target = path(actual);
            Files.createDirectories(target.getParent());
            if (!Files.exists(target)) {
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                    // Another writer stored the same content first; theirs is as good as ours.
                }
            }
            done = true;
            Files.deleteIfExists(tmp);
            return new Written(actual, written);
        }

        @Override
        public void close() throws IOException {
            writeback.finish();
            if (ch.isOpen()) {
                ch.close();
            }
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Every stored blob of the registered algorithms. */
    public List<Digest> list() {
        List<Digest> out = new ArrayList<>();
        for (String alg : List.of(Digest.SHA256, Digest.SHA512)) {
            Path dir = blobs.resolve(alg);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    try {
                        out.add(new Digest(alg, p.getFileName().toString()));
                    } catch (InvalidDigestException e) {
                        // Not a blob of ours (a stray file): gc leaves it alone as well.
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("list blobs in " + dir, e);
            }
        }
        out.sort(null);
        return out;
    }

    /** Removes a blob; true when it was there. */
    public boolean delete(Digest d) {
        try {
            return Files.deleteIfExists(path(d));
        } catch (IOException e) {
            throw new UncheckedIOException("delete blob " + d, e);
        }
    }

    /** Removes abandoned ingest temp files older than {@code age}; returns how many. */
    public int cleanIngests(Duration age) {
        Path dir = root.resolve(INGEST_DIR);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        Instant cutoff = Instant.now().minus(age);
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff) && Files.deleteIfExists(p)) {
                    n++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("clean ingests in " + dir, e);
        }
        return n;
    }
}
