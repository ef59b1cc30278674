package io.berth.image.unpack;

import io.berth.image.fs.FileMeta;
import io.berth.image.fs.InRoot;
import io.berth.image.fs.Trees;

import io.berth.image.ImageException;
import io.berth.image.store.BlobSource;
import io.berth.spec.Compression;
import io.berth.spec.Descriptor;
import io.berth.spec.ImageConfig;
import io.berth.spec.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Unpacks an image's layers, in order, into a rootfs (layer.md "Applying Changesets").
 *
 * <p>Each layer is read, verified and decompressed on its own virtual thread ahead of the apply
 * ({@link LayerPrefetch}); the apply consumes the layers strictly in manifest order. Everything is built
 * in a sibling temp directory that is renamed into place only when every layer applied and verified;
 * on failure the temp tree is removed and the error says why: a half-built rootfs is never presented
 * as done.
 */
public final class Unpacker {
    private Unpacker() {}

    public static UnpackResult unpack(BlobSource blobs, Manifest manifest, ImageConfig config, Path rootfs,
            UnpackOptions options) {
        List<Descriptor> layers = manifest.layers();
        if (layers.size() != config.diffIds().size()) {
            throw new ImageException("unpack: the manifest has " + layers.size() + " layers but the config lists "
                    + config.diffIds().size() + " diff_ids");
        }
        List<Compression> compressions = new ArrayList<>();
        for (Descriptor l : layers) {
            compressions.add(l.mediaType().layerCompression().orElseThrow(() -> new ImageException(
                    "unpack: layer " + l.digest() + " has media type " + l.mediaType().value()
                            + ", which is not a layer type we can apply")));
        }
        Path target = rootfs.toAbsolutePath().normalize();
        Path parent = target.getParent();
        try {
            Files.createDirectories(parent);
            checkTarget(target, options);
            Path work = io.berth.image.io.TempFiles.directory(parent, "." + target.getFileName() + ".partial-");
            try {
                UnpackResult r = applyAll(blobs, layers, compressions, config, work, options);
                commit(work, target);
                return r;
            } catch (RuntimeException | IOException | Error e) {
                Trees.removeUnchecked(work);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unpack into " + target, e);
        }
    }

    private static void checkTarget(Path target, UnpackOptions options) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageException("unpack into " + target + ": exists and is not a directory");
        }
        try (var s = Files.list(target)) {
            if (s.findAny().isPresent() && !options.replaceExisting()) {
                throw new ImageException("unpack into " + target + ": directory exists and is not empty"
                        + " (use --force to replace it)");
            }
        }
    }

    /** Puts the finished tree in place; an old tree is moved aside first and removed after. */
    private static void commit(Path work, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + ProcessHandle.current().pid());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
        if (old != null) {
            Trees.remove(old);
        }
    }

    private static UnpackResult applyAll(BlobSource blobs, List<Descriptor> layers, List<Compression> compressions,
            ImageConfig config, Path work, UnpackOptions options) throws IOException {
        FileMeta.chmod(work, 0755);
        AtomicLong uncompressed = new AtomicLong();
        LayerApplier.Budget budget = new LayerApplier.Budget();
        List<LayerApplier.DirTime> dirTimes = new ArrayList<>();
        LayerApplier applier = new LayerApplier(new InRoot(work, options.maxSymlinkHops()), options, budget, dirTimes);
        List<LayerPrefetch> prefetches = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            prefetches.add(new LayerPrefetch(blobs, layers.get(i), compressions.get(i), config.diffIds().get(i),
                    uncompressed, options.maxTotalBytes(), options.prefetchBytes()));
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            prefetches.forEach(pool::execute);
            try {
                for (int i = 0; i < layers.size(); i++) {
                    LayerPrefetch p = prefetches.get(i);
                    try (InputStream tar = p.stream()) {
                        applier.apply(tar, (i + 1) + "/" + layers.size() + " (" + layers.get(i).digest() + ")");
                        LayerPrefetch.drain(tar);
                    }
                }
            } finally {
                prefetches.forEach(LayerPrefetch::cancel);
            }
        }
        // Directory mtimes last, deepest first: creating children changed them.
        dirTimes.sort(Comparator.comparingInt(LayerApplier.DirTime::depth).reversed());
        for (LayerApplier.DirTime d : dirTimes) {
            if (Files.isDirectory(d.dir(), LinkOption.NOFOLLOW_LINKS)) {
                FileMeta.setTimes(d.dir(), d.mtime());
            }
        }
        return new UnpackResult(layers.size(), budget.entries, uncompressed.get());
    }
}
