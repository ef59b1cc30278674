package io.berth.registry;

import io.berth.registry.Registry.StoredManifest;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Manifests by repository and reference (tag or digest), for {@code GET}/{@code HEAD} of manifests
 * without reading storage. Each entry remembers the storage versions it was read at (for the
 * filesystem, one {@code stat} of the tag file and one of the repository's manifest record):
 * <ul>
 *   <li>within {@code revalidateNanos} of its last check an entry is served as is ({@link #fresh});
 *   <li>after that, {@link Registry#pullManifest} compares the versions again (cheap) and either
 *       renews the entry or reads the manifest anew.
 * </ul>
 * Writes through this process ({@link Registry#pushManifest}, {@link Registry#deleteManifest}) drop the
 * repository's entries before they return, and a generation counter keeps a read that raced with such
 * a write from putting its stale result back. A change made by another process over the same root
 * (scale-out) is therefore seen at most {@code revalidateNanos} late. The manifest bytes themselves are
 * content-addressed and never change.
 *
 * <p>Memory is bounded by {@code maxBytes} of manifest bytes; when an insert goes past it, entries are
 * dropped in the map's iteration order (not LRU: a small, simple cache for the hot tags) until a quarter
 * of the budget is free.
 */
final class ManifestCache {
    /** The cache's settings: a byte budget (0 turns caching off) and how long an entry is trusted. */
    record Settings(long maxBytes, long revalidateMillis) {
        static final Settings DEFAULT = new Settings(16L * 1024 * 1024, 100);
        static final Settings OFF = new Settings(0, 0);

        Settings {
            if (maxBytes < 0 || revalidateMillis < 0) {
                throw new IllegalArgumentException("manifest cache: sizes must be >= 0");
            }
        }
    }

    private record Key(String repository, String reference) {}

    /** A cached manifest and the storage versions it was read at. */
    static final class Entry {
        final StoredManifest manifest;
        /** The tag file's version for a tag reference; unused for a digest reference. */
        final Object tagVersion;
        final Object manifestVersion;
        volatile long checkedAt;

        Entry(StoredManifest manifest, Object tagVersion, Object manifestVersion, long checkedAt) {
            this.manifest = manifest;
            this.tagVersion = tagVersion;
            this.manifestVersion = manifestVersion;
            this.checkedAt = checkedAt;
        }
    }

    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong generation = new AtomicLong();
    private final long maxBytes;
    private final long revalidateNanos;
    private final LongSupplier clock;

    ManifestCache(Settings settings, LongSupplier nanoClock) {
        this.maxBytes = settings.maxBytes();
        this.revalidateNanos = settings.revalidateMillis() * 1_000_000L;
        this.clock = nanoClock;
    }

    boolean enabled() {
        return maxBytes > 0;
    }

    long now() {
        return clock.getAsLong();
    }

    /** An entry checked within the revalidation period, or null: no I/O, safe on an event loop. */
    StoredManifest fresh(String repository, String reference) {
        Entry e = entries.get(new Key(repository, reference));
        return e != null && clock.getAsLong() - e.checkedAt < revalidateNanos ? e.manifest : null;
    }

    /** The entry whatever its age, or null. */
    Entry get(String repository, String reference) {
        return entries.get(new Key(repository, reference));
    }

    /** Read before storage is read for {@link #put}: a write in between makes the put a no-op. */
    long generation() {
        return generation.get();
    }

    void put(String repository, String reference, Entry e, long generationBefore) {
        if (!enabled() || e.manifest.bytes().length > maxBytes / 4) {
            return;
        }
        Key k = new Key(repository, reference);
        Entry old = entries.put(k, e);
        bytes.addAndGet(e.manifest.bytes().length - (old == null ? 0 : old.manifest.bytes().length));
        if (generation.get() != generationBefore) {
            // a write ran while this entry was read: it may be stale
            if (entries.remove(k, e)) {
                bytes.addAndGet(-e.manifest.bytes().length);
            }
            return;
        }
        if (bytes.get() > maxBytes) {
            shrink();
        }
    }

    /** Drops every entry of {@code repository} (after a write to it). */
    void invalidate(String repository) {
        generation.incrementAndGet();
        for (Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Entry> x = it.next();
            if (x.getKey().repository().equals(repository) && entries.remove(x.getKey(), x.getValue())) {
                bytes.addAndGet(-x.getValue().manifest.bytes().length);
            }
        }
    }

    private void shrink() {
        for (Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator(); it.hasNext()
                && bytes.get() > maxBytes - maxBytes / 4; ) {
            Map.Entry<Key, Entry> x = it.next();
            if (entries.remove(x.getKey(), x.getValue())) {
                bytes.addAndGet(-x.getValue().manifest.bytes().length);
            }
        }
    }

    int size() {
        return entries.size();
    }

    long bytes() {
        return bytes.get();
    }
}
