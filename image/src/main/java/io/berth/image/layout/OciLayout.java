package io.berth.image.layout;

import io.berth.image.ImageException;
import io.berth.image.store.ContentStore;
import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.ImageConfig;
import io.berth.spec.ImageLayout;
import io.berth.spec.Index;
import io.berth.spec.Manifest;
import io.berth.spec.MediaType;
import io.berth.spec.Platform;
import io.berth.spec.json.Fields;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.JsonException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An OCI image layout directory (image-layout.md): {@code oci-layout}, {@code index.json} and
 * {@code blobs/}. Tags are index.json entries annotated {@code org.opencontainers.image.ref.name}
 * (annotations.md), as skopeo and umoci write them.
 *
 * <p>index.json is rewritten atomically (temp file, fsync, rename) under an exclusive lock on
 * {@code .berth-index.lock}, so concurrent taggers never lose each other's updates. Writers that add
 * blobs before tagging them hold a shared lock on {@code .berth-gc.lock} ({@link #beginWrite}); gc
 * holds it exclusively, so it never sweeps blobs an unfinished write is about to reference.
 */
public final class OciLayout {
    /** Largest manifest or index we read (the registry's default limit too). */
    public static final long MAX_MANIFEST = 4L << 20;
    /** Largest image config we read. */
    public static final long MAX_CONFIG = 16L << 20;
    /** How deep nested indexes may go. */
    static final int MAX_INDEX_DEPTH = 8;

    private final Path root;
    private final ContentStore blobs;

    private OciLayout(Path root) {
        this.root = root;
        this.blobs = ContentStore.open(root);
    }

    /** Opens an existing layout; fails naming the path when it is not one. */
    public static OciLayout open(Path root) {
        Path marker = root.resolve(ImageLayout.FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(marker);
        } catch (NoSuchFileException e) {
            throw new ImageException("open image layout " + root + ": not an OCI image layout (no "
                    + ImageLayout.FILE + " file)");
        } catch (IOException e) {
            throw new UncheckedIOException("open image layout " + root, e);
        }
        ImageLayout l;
        try {
            l = ImageLayout.parse(bytes);
        } catch (JsonException e) {
            throw new ImageException("open image layout " + root + ": " + e.getMessage(), e);
        }
        if (!l.imageLayoutVersion().startsWith("1.")) {
            throw new ImageException("open image layout " + root + ": unsupported imageLayoutVersion \""
                    + l.imageLayoutVersion() + "\"");
        }
        return new OciLayout(root);
    }

    /** Opens a layout, creating an empty one (oci-layout, empty index.json, blobs/) when absent. */
    public static OciLayout openOrCreate(Path root) {
        if (Files.exists(root.resolve(ImageLayout.FILE))) {
            return open(root);
        }
        try {
            if (Files.isDirectory(root)) {
                try (var s = Files.list(root)) {
                    if (s.anyMatch(p -> !p.getFileName().toString().startsWith("."))) {
                        throw new ImageException("create image layout " + root
                                + ": directory exists, is not empty and is not an OCI image layout");
                    }
                }
            }
            Files.createDirectories(root);
            OciLayout layout = new OciLayout(root);
            layout.writeAtomically(root.resolve(ImageLayout.INDEX_FILE), Index.of(List.of()).toBytes());
            layout.writeAtomically(root.resolve(ImageLayout.FILE), ImageLayout.current().toBytes());
            return layout;
        } catch (IOException e) {
            throw new UncheckedIOException("create image layout " + root, e);
        }
    }

    public Path root() {
        return root;
    }

    public ContentStore blobs() {
        return blobs;
    }

    /** The layout's index.json. */
    public Index index() {
        Path p = root.resolve(ImageLayout.INDEX_FILE);
        try {
            return Index.parse(Files.readAllBytes(p), p.toString());
        } catch (NoSuchFileException e) {
            throw new ImageException("image layout " + root + ": index.json is missing");
        } catch (IOException e) {
            throw new UncheckedIOException("read " + p, e);
        } catch (JsonException e) {
            throw new ImageException(e.getMessage(), e);
        }
    }

    /** The index.json entries that carry a tag, in index order. */
    public List<Descriptor> tags() {
        return index().manifests().stream().filter(d -> d.refName().isPresent()).toList();
    }

    /** The (first) index.json entry tagged {@code name}. */
    public Optional<Descriptor> resolveTag(String name) {
        return index().manifests().stream().filter(d -> d.refName().filter(name::equals).isPresent()).findFirst();
    }

    /** Points {@code name} at a manifest or index, replacing what it pointed at. */
    public void tag(String name, Descriptor target) {
        if (name.isEmpty()) {
            throw new ImageException("tag in " + root + ": the tag name is empty");
        }
        Map<String, String> ann = new LinkedHashMap<>(target.annotations());
        ann.put(Descriptor.REF_NAME, name);
        Descriptor entry = target.withAnnotations(ann);
        updateIndex(entries -> {
            entries.removeIf(d -> d.refName().filter(name::equals).isPresent());
            entries.add(entry);
        });
    }

    /** Removes a tag; true when it existed. */
    public boolean untag(String name) {
        boolean[] removed = {false};
        updateIndex(entries -> removed[0] = entries.removeIf(d -> d.refName().filter(name::equals).isPresent()));
        return removed[0];
    }

    /**
     * In-process locks per layout: a FileLock excludes other processes, but two threads of one JVM
     * asking for it get OverlappingFileLockException, so they queue here first.
     */
    private static final java.util.concurrent.ConcurrentHashMap<Path, java.util.concurrent.locks.ReentrantLock> LOCKS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private void updateIndex(java.util.function.Consumer<List<Descriptor>> change) {
        java.util.concurrent.locks.ReentrantLock local = LOCKS.computeIfAbsent(root.toAbsolutePath().normalize(),
                k -> new java.util.concurrent.locks.ReentrantLock());
        local.lock();
        try {
            updateIndexLocked(change);
        } finally {
            local.unlock();
        }
    }

    @SuppressWarnings("try") // the FileLock is held for the block, not used in it
    private void updateIndexLocked(java.util.function.Consumer<List<Descriptor>> change) {
        try (FileChannel lockFile = FileChannel.open(root.resolve(".berth-index.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
            Index idx = index();
            List<Descriptor> entries = new ArrayList<>(idx.manifests());
            change.accept(entries);
            writeAtomically(root.resolve(ImageLayout.INDEX_FILE), idx.withManifests(entries).toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("update " + root.resolve(ImageLayout.INDEX_FILE), e);
        }
    }

    private void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = io.berth.image.io.TempFiles.file(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A shared hold that keeps gc from sweeping while blobs are added and then tagged. */
    public Hold beginWrite() {
        return gcLock(true);
    }

    /** A held lock; closing releases it. */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    private FileLockHold gcLock(boolean shared) {
        try {
            FileChannel ch = FileChannel.open(root.resolve(".berth-gc.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.READ);
            return new FileLockHold(ch, ch.lock(0, Long.MAX_VALUE, shared));
        } catch (IOException e) {
            throw new UncheckedIOException("lock " + root.resolve(".berth-gc.lock"), e);
        }
    }

    private record FileLockHold(FileChannel ch, FileLock lock) implements Hold {
        @Override
        public void close() {
            try (ch) {
                lock.release();
            } catch (IOException e) {
                throw new UncheckedIOException("unlock", e);
            }
        }
    }

    /** Stores a JSON document and returns its descriptor. */
    public Descriptor putJson(MediaType mediaType, byte[] bytes) {
        ContentStore.Written w = blobs.put(bytes);
        return Descriptor.of(mediaType, w.digest(), w.size());
    }

    public Descriptor putManifest(Manifest m) {
        return putJson(m.effectiveMediaType(), m.toBytes());
    }

    public Descriptor putIndex(Index i) {
        return putJson(i.mediaType().orElse(MediaType.Known.OCI_INDEX), i.toBytes());
    }

    public Descriptor putConfig(ImageConfig c) {
        return putJson(MediaType.Known.OCI_CONFIG, c.toBytes());
    }

    /** Reads and verifies a manifest. */
    public Manifest manifest(Descriptor d) {
        byte[] b = blobs.read(d, MAX_MANIFEST);
        try {
            return Manifest.parse(b);
        } catch (JsonException e) {
            throw new ImageException("manifest " + d.digest() + ": " + e.getMessage(), e);
        }
    }

    /** Reads and verifies an index. */
    public Index imageIndex(Descriptor d) {
        byte[] b = blobs.read(d, MAX_MANIFEST);
        try {
            return Index.parse(b, "index " + d.digest());
        } catch (JsonException e) {
            throw new ImageException(e.getMessage(), e);
        }
    }

    /** Reads and verifies an image config. */
    public ImageConfig config(Descriptor d) {
        byte[] b = blobs.read(d, MAX_CONFIG);
        try {
            return ImageConfig.parse(b);
        } catch (JsonException e) {
            throw new ImageException("config " + d.digest() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Finds an image by tag or digest and, through any index (image-index.md; nested ones too), the
     * manifest for {@code wanted}. A name with a {@code :} that parses as a digest is a digest.
     */
    public ResolvedImage resolve(String tagOrDigest, Platform wanted) {
        Descriptor top = findTop(tagOrDigest, wanted);
        Optional<Descriptor> indexDesc = Optional.empty();
        Descriptor cur = top;
        for (int depth = 0; isIndex(cur); depth++) {
            if (depth >= MAX_INDEX_DEPTH) {
                throw new ImageException("image " + tagOrDigest + " in " + root + ": indexes nested deeper than "
                        + MAX_INDEX_DEPTH);
            }
            if (indexDesc.isEmpty()) {
                indexDesc = Optional.of(cur);
            }
            cur = choose(imageIndex(cur).manifests(), wanted, "index " + cur.digest());
        }
        if (!cur.mediaType().isManifest()) {
            throw new ImageException("image " + tagOrDigest + " in " + root + ": " + cur.digest()
                    + " has media type " + cur.mediaType().value() + ", not an image manifest");
        }
        Manifest m = manifest(cur);
        if (!m.config().mediaType().isConfig()) {
            throw new ImageException("image " + tagOrDigest + " in " + root + ": manifest " + cur.digest()
                    + " is an artifact (config media type " + m.config().mediaType().value() + "), not an image");
        }
        return new ResolvedImage(indexDesc, cur, m, config(m.config()));
    }

    private Descriptor findTop(String name, Platform wanted) {
        Optional<Digest> digest = Optional.empty();
        if (name.indexOf(':') > 0) {
            try {
                digest = Optional.of(Digest.parse(name));
            } catch (IllegalArgumentException e) {
                digest = Optional.empty();
            }
        }
        List<Descriptor> entries = index().manifests();
        if (digest.isPresent()) {
            Digest d = digest.get();
            Optional<Descriptor> listed = entries.stream().filter(e -> e.digest().equals(d)).findFirst();
            if (listed.isPresent()) {
                return listed.get();
            }
            if (!blobs.has(d)) {
                throw new ImageException("image " + d + " not found in " + root);
            }
            return sniff(d);
        }
        List<Descriptor> tagged = entries.stream().filter(e -> e.refName().filter(name::equals).isPresent()).toList();
        if (tagged.isEmpty()) {
            throw new ImageException("image " + name + " not found in " + root + " (tags: "
                    + String.join(", ", entries.stream().flatMap(e -> e.refName().stream()).toList()) + ")");
        }
        return tagged.size() == 1 ? tagged.getFirst() : choose(tagged, wanted, "tag " + name);
    }

    /** A descriptor for an untagged stored document, its media type read from the document itself. */
    private Descriptor sniff(Digest d) {
        byte[] b = blobs.read(d, MAX_MANIFEST);
        Fields f;
        try {
            f = JsonCodec.parseObject(b, "document " + d);
        } catch (JsonException e) {
            throw new ImageException(e.getMessage(), e);
        }
        MediaType mt = f.optString("mediaType").map(MediaType::of)
                .orElse(f.has("manifests") ? MediaType.Known.OCI_INDEX : MediaType.Known.OCI_MANIFEST);
        return Descriptor.of(mt, d, b.length);
    }

    private static boolean isIndex(Descriptor d) {
        return d.mediaType().isIndex();
    }

    private Descriptor choose(List<Descriptor> candidates, Platform wanted, String what) {
        List<Descriptor> matching = candidates.stream()
                .filter(c -> c.platform().map(p -> p.matches(wanted)).orElse(false)).toList();
        if (!matching.isEmpty()) {
            return matching.getFirst();
        }
        List<Descriptor> unlabelled = candidates.stream()
                .filter(c -> c.platform().isEmpty() && (c.mediaType().isManifest() || c.mediaType().isIndex()))
                .toList();
        if (unlabelled.size() == 1 && candidates.size() == 1) {
            return unlabelled.getFirst();
        }
        List<String> available = candidates.stream()
                .map(c -> c.platform().map(Platform::toString).orElse("unknown")).toList();
        throw new ImageException(what + " in " + root + ": no manifest for platform " + wanted + " (available: "
                + String.join(", ", available) + ")");
    }

    /**
     * Removes every blob not reachable from index.json: manifests and indexes are followed to their
     * configs, layers, children and subjects; documents of unknown types are kept but not followed.
     * Abandoned ingest temp files older than an hour go too.
     */
    @SuppressWarnings("try") // the exclusive hold keeps writers out for the whole mark and sweep
    public GcResult gc() {
        try (FileLockHold hold = gcLock(false)) {
            Set<Digest> marked = new HashSet<>();
            Deque<Descriptor> todo = new ArrayDeque<>(index().manifests());
            while (!todo.isEmpty()) {
                Descriptor d = todo.pop();
                if (!marked.add(d.digest()) || !blobs.has(d.digest())) {
                    continue;
                }
                if (d.mediaType().isManifest()) {
                    Manifest m = manifest(d);
                    todo.push(m.config());
                    m.layers().forEach(todo::push);
                    m.subject().ifPresent(todo::push);
                } else if (d.mediaType().isIndex()) {
                    Index i = imageIndex(d);
                    i.manifests().forEach(todo::push);
                    i.subject().ifPresent(todo::push);
                }
            }
            List<Digest> removed = new ArrayList<>();
            long freed = 0;
            for (Digest d : blobs.list()) {
                if (!marked.contains(d)) {
                    long size = blobs.size(d).orElse(0L);
                    if (blobs.delete(d)) {
                        removed.add(d);
                        freed += size;
                    }
                }
            }
            int stale = blobs.cleanIngests(Duration.ofHours(1));
            return new GcResult(removed, freed, stale);
        }
    }
}
