package io.berth.registry.gc;

import io.berth.registry.RepositoryName;
import io.berth.registry.Tag;
import io.berth.registry.storage.Storage;
import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.Index;
import io.berth.spec.Manifest;
import io.berth.spec.MediaType;
import io.berth.spec.json.JsonException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Mark and sweep over a registry's storage. Roots are every repository's tagged manifests, and its
 * untagged manifests too unless {@code deleteUntagged}. From a manifest it marks its config, layers
 * and subject; from an index its child manifests and subject; a manifest whose subject is kept is kept
 * (referrers live as long as what they refer to). Then it removes unmarked blobs and upload sessions
 * older than the grace period: a push that is running while GC runs has fresh blobs (an upload, a mount,
 * or a manifest referencing a blob refreshes the blob's time, and the sweep re-checks that time just
 * before it deletes) and a fresh session, so it is not cut short. The remaining window is between that
 * re-check and the delete; there is no lock between GC and pushes.
 */
public final class GarbageCollector {

    /**
     * What a run found and removed; {@code uploadsRemoved} counts abandoned sessions and temporary files
     * of interrupted writes.
     */
    public record Result(int blobsKept, int blobsRemoved, long bytesRemoved, int manifestsRemoved,
            int linksRemoved, int uploadsRemoved) {}

    private final Storage storage;
    private final Duration grace;
    private final boolean deleteUntagged;
    private final boolean dryRun;

    public GarbageCollector(Storage storage, Duration grace, boolean deleteUntagged, boolean dryRun) {
        this.storage = storage;
        this.grace = grace;
        this.deleteUntagged = deleteUntagged;
        this.dryRun = dryRun;
    }

    public Result run() {
        Instant cutoff = Instant.now().minus(grace);
        Set<Digest> marked = new HashSet<>();
        // manifests pushed within the grace period stay even when untagged: a tag may be on its way
        Set<Digest> fresh = new HashSet<>();
        storage.blobs().forEach(b -> {
            if (b.modified().isAfter(cutoff)) {
                fresh.add(b.digest());
            }
        });
        int manifestsRemoved = 0;
        int linksRemoved = 0;
        for (RepositoryName repo : storage.catalog().repositories()) {
            Set<Digest> kept = markRepository(repo, marked, fresh);
            for (Digest d : storage.manifests().digests(repo)) {
                if (!kept.contains(d)) {
                    manifestsRemoved++;
                    if (!dryRun) {
                        storage.manifests().delete(repo, d);
                    }
                }
            }
            for (Digest d : storage.links().linked(repo)) {
                if (!marked.contains(d) && storage.blobs().size(d).isEmpty()) {
                    linksRemoved++;
                    if (!dryRun) {
                        storage.links().unlink(repo, d);
                    }
                }
            }
        }
        int[] counts = new int[2];
        long[] bytes = new long[1];
        storage.blobs().forEach(b -> {
            if (marked.contains(b.digest()) || b.modified().isAfter(cutoff)) {
                counts[0]++;
                return;
            }
            if (dryRun || storage.blobs().deleteIfUntouchedSince(b.digest(), cutoff)) {
                counts[1]++;
                bytes[0] += b.size();
            } else {
                counts[0]++;
            }
        });
        int[] uploads = new int[1];
        storage.uploads().forEach(u -> {
            if (u.started().isBefore(cutoff)) {
                uploads[0]++;
                if (!dryRun) {
                    storage.uploads().purge(u.id());
                }
            }
        });
        if (!dryRun) {
            uploads[0] += storage.uploads().purgeTemporary(cutoff);
        }
        return new Result(counts[0], counts[1], bytes[0], manifestsRemoved, linksRemoved, uploads[0]);
    }

    /** Marks what a repository keeps; returns the manifests it keeps. */
    private Set<Digest> markRepository(RepositoryName repo, Set<Digest> marked, Set<Digest> fresh) {
        List<Digest> manifests = storage.manifests().digests(repo);
        Set<Digest> kept = new HashSet<>();
        Deque<Digest> todo = new ArrayDeque<>();
        for (Tag t : storage.tags().list(repo)) {
            storage.tags().resolve(repo, t).ifPresent(todo::add);
        }
        for (Digest d : manifests) {
            if (!deleteUntagged || fresh.contains(d)) {
                todo.add(d);
            }
        }
        boolean grew = true;
        while (grew) {
            while (!todo.isEmpty()) {
                Digest d = todo.pop();
                if (!kept.add(d)) {
                    continue;
                }
                marked.add(d);
                Optional<String> mt = storage.manifests().mediaType(repo, d);
                Optional<byte[]> bytes = storage.blobs().read(d);
                if (mt.isEmpty() || bytes.isEmpty()) {
                    continue;
                }
                for (Descriptor ref : references(MediaType.of(mt.get()), bytes.get())) {
                    if (ref.mediaType().isManifest() || ref.mediaType().isIndex()) {
                        todo.add(ref.digest());
                    } else {
                        marked.add(ref.digest());
                    }
                }
            }
            // referrers of kept manifests are kept too
            grew = false;
            for (Digest d : manifests) {
                if (!kept.contains(d) && subject(repo, d).filter(kept::contains).isPresent()) {
                    todo.add(d);
                    grew = true;
                }
            }
        }
        return kept;
    }

    private Optional<Digest> subject(RepositoryName repo, Digest d) {
        Optional<String> mt = storage.manifests().mediaType(repo, d);
        Optional<byte[]> bytes = storage.blobs().read(d);
        if (mt.isEmpty() || bytes.isEmpty()) {
            return Optional.empty();
        }
        try {
            MediaType t = MediaType.of(mt.get());
            if (t.isManifest()) {
                return Manifest.parse(bytes.get()).subject().map(Descriptor::digest);
            }
            if (t.isIndex()) {
                return Index.parse(bytes.get()).subject().map(Descriptor::digest);
            }
        } catch (JsonException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static List<Descriptor> references(MediaType type, byte[] bytes) {
        try {
            if (type.isManifest()) {
                Manifest m = Manifest.parse(bytes);
                List<Descriptor> out = new ArrayList<>(m.layers());
                out.add(m.config());
                m.subject().ifPresent(out::add);
                return out;
            }
            if (type.isIndex()) {
                Index ix = Index.parse(bytes);
                List<Descriptor> out = new ArrayList<>(ix.manifests());
                ix.subject().ifPresent(out::add);
                return out;
            }
        } catch (JsonException | IllegalArgumentException e) {
            return List.of(); // accepted by an older validator: keep it, mark nothing under it
        }
        return List.of();
    }
}
