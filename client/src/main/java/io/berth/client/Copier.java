package io.berth.client;

import io.berth.client.registry.Credentials;
import io.berth.client.registry.RegistriesConf;
import io.berth.client.transport.ImageName;
import io.berth.spec.Descriptor;
import io.berth.spec.Index;
import io.berth.spec.Manifest;
import io.berth.spec.Platform;
import io.berth.spec.json.JsonException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies an image between registries and layouts, keeping every digest: documents travel as their
 * exact bytes, blobs are verified as they stream. Blobs go in parallel (a per-copy virtual-thread
 * executor, at most {@code parallel} at once), blobs the destination has are skipped, and within one
 * registry a blob is mounted from the source repository rather than uploaded (distribution-spec
 * end-11). Children before parents: blobs, then manifests, then the index, then the name.
 */
public final class Copier {
    /** What to copy: a whole index ({@code all}) or the manifest for one platform. */
    public record Options(boolean all, Platform platform, int parallel, boolean plainHttp, List<Path> authFiles,
            Progress progress, RegistriesConf registries) {
        public static Options defaults() {
            return new Options(false, Platform.host(), 4, false, Credentials.files(System.getenv()), Progress.NONE,
                    RegistriesConf.load(System.getenv()));
        }

        public Options withAll(boolean a) {
            return new Options(a, platform, parallel, plainHttp, authFiles, progress, registries);
        }

        public Options withPlatform(Platform p) {
            return new Options(all, p, parallel, plainHttp, authFiles, progress, registries);
        }

        public Options withPlainHttp(boolean p) {
            return new Options(all, platform, parallel, p, authFiles, progress, registries);
        }

        public Options withAuthFiles(List<Path> f) {
            return new Options(all, platform, parallel, plainHttp, List.copyOf(f), progress, registries);
        }

        public Options withParallel(int n) {
            return new Options(all, platform, n, plainHttp, authFiles, progress, registries);
        }

        public Options withProgress(Progress p) {
            return new Options(all, platform, parallel, plainHttp, authFiles, p, registries);
        }

        public Options withRegistries(RegistriesConf r) {
            return new Options(all, platform, parallel, plainHttp, authFiles, progress, r);
        }
    }

    /** What a copy did. */
    public record Result(Descriptor top, int blobsCopied, int blobsSkipped, long bytesCopied) {}

    private final Endpoint src;
    private final Endpoint dst;
    private final Options options;
    private final AtomicInteger copied = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();

    private Copier(Endpoint src, Endpoint dst, Options options) {
        this.src = src;
        this.dst = dst;
        this.options = options;
    }

    public static Result copy(ImageName from, ImageName to, Options options) {
        // instanceof, not pattern switches: each switch on a sealed type bootstraps a TypeSwitch class and
        // spins method-handle forms at run time, ~27 ms of a cold copy (-Xlog:class+load)
        ImageName.Registry fromRegistry = from instanceof ImageName.Registry r ? r : null;
        ImageName.Layout fromLayout = from instanceof ImageName.Layout l ? l : null;
        String srcRef = fromRegistry != null ? fromRegistry.reference().manifestReference() : fromLayout.name();
        Endpoint.Doc[] top = new Endpoint.Doc[1];
        Endpoint src;
        if (fromLayout != null) {
            Endpoint.Layout e = Endpoint.layout(fromLayout);
            top[0] = e.top(srcRef);
            src = e;
        } else {
            src = firstAnswering(options.registries().pullEndpoints(fromRegistry.reference()), srcRef, options, top);
        }
        Endpoint dst;
        Optional<String> dstTag;
        if (to instanceof ImageName.Registry r) {
            dst = Endpoint.registry(options.registries().pushEndpoint(r.reference()), options);
            dstTag = r.reference().tag();
        } else {
            ImageName.Layout l = (ImageName.Layout) to;
            dst = Endpoint.layout(l);
            dstTag = l.digest().isPresent() ? Optional.empty()
                    : Optional.of(l.tag().orElse(fromRegistry != null ? fromRegistry.reference().tag().orElse("latest")
                            : "latest"));
        }
        Copier c = new Copier(src, dst, options);
        Descriptor copied = c.copyTop(top[0], srcRef, dstTag);
        return new Result(copied, c.copied.get(), c.skipped.get(), c.bytes.get());
    }

    /**
     * Tries the pull endpoints in order (mirrors, then the registry itself) and keeps the first that
     * has the image; the others' failures are named if none does.
     */
    private static Endpoint firstAnswering(List<RegistriesConf.Endpoint> candidates, String ref, Options o,
            Endpoint.Doc[] top) {
        List<String> failures = new ArrayList<>();
        RuntimeException last = null;
        for (RegistriesConf.Endpoint c : candidates) {
            Endpoint.Registry e = Endpoint.registry(c, o);
            try {
                top[0] = e.top(ref);
                return e;
            } catch (ClientException | java.io.UncheckedIOException ex) {
                failures.add(c + ": " + ex.getMessage());
                last = ex;
            }
        }
        if (candidates.size() == 1 && last != null) {
            throw last;
        }
        throw new ClientException("image " + ref + ": no endpoint answered: " + String.join("; ", failures),
                last instanceof ClientException ce ? ce.status() : 0, last instanceof ClientException ce2
                        ? ce2.code().orElse(null) : null);
    }

    private Descriptor copyTop(Endpoint.Doc top, String srcRef, Optional<String> dstTag) {
        if (top.descriptor().mediaType().isIndex()) {
            Index index = parseIndex(top);
            if (options.all()) {
                for (Descriptor child : index.manifests()) {
                    copyManifest(new Endpoint.Doc(child, src.document(child)), Optional.empty());
                }
                dst.putDocument(top, dstTag);
                return top.descriptor();
            }
            Descriptor chosen = index.manifests().stream()
                    .filter(m -> m.platform().map(p -> p.matches(options.platform())).orElse(false)).findFirst()
                    .orElseThrow(() -> new ClientException("image " + srcRef + ": no manifest for platform "
                            + options.platform() + " (available: " + String.join(", ", index.manifests().stream()
                                    .map(m -> m.platform().map(Platform::toString).orElse("unknown")).toList())
                            + "; use --all to copy them all)"));
            Endpoint.Doc doc = new Endpoint.Doc(chosen.withPlatform(Optional.empty()).withAnnotations(Map.of()),
                    src.document(chosen));
            copyManifest(doc, dstTag);
            return doc.descriptor();
        }
        copyManifest(top, dstTag);
        return top.descriptor();
    }

    private static Index parseIndex(Endpoint.Doc doc) {
        try {
            return Index.parse(doc.bytes(), "index " + doc.descriptor().digest());
        } catch (JsonException e) {
            throw new ClientException(e.getMessage(), e);
        }
    }

    private void copyManifest(Endpoint.Doc doc, Optional<String> tag) {
        if (doc.descriptor().mediaType().isIndex()) {
            Index nested = parseIndex(doc);
            for (Descriptor child : nested.manifests()) {
                copyManifest(new Endpoint.Doc(child, src.document(child)), Optional.empty());
            }
            dst.putDocument(doc, tag);
            return;
        }
        Manifest m;
        try {
            m = Manifest.parse(doc.bytes());
        } catch (JsonException e) {
            throw new ClientException("manifest " + doc.descriptor().digest() + ": " + e.getMessage(), e);
        }
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(m.config());
        blobs.addAll(m.layers());
        copyBlobs(blobs);
        dst.putDocument(doc, tag);
    }

    private void copyBlobs(List<Descriptor> blobs) {
        Map<String, Descriptor> unique = new LinkedHashMap<>();
        blobs.forEach(b -> unique.putIfAbsent(b.digest().toString(), b));
        if (unique.isEmpty()) {
            return;
        }
        List<Future<?>> futures = new ArrayList<>();
        // Platform threads, at most `parallel`: sockets read from virtual threads bring up the JDK's
        // poller thread, which then sits in epoll_wait, and HotSpot's exit waits ~0.3 s for threads in
        // native code (docs/benchmarks.md "Pull and push").
        int threads = Math.min(Math.max(1, options.parallel()), unique.size());
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        // a plain factory: Thread.ofPlatform().name(prefix, 0) links a VarHandle at first use (method-handle
        // classes spun at run time, not in the AOT cache)
        try (ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "blob-copy-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        })) {
            for (Descriptor d : unique.values()) {
                futures.add(pool.submit(() -> {
                    copyBlob(d);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new ClientException("copy blobs: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException("copy interrupted", e);
        }
    }

    private void copyBlob(Descriptor d) {
        Progress progress = options.progress();
        progress.started(d);
        if (dst.hasBlob(d)) {
            skipped.incrementAndGet();
            progress.finished(d, Progress.Outcome.SKIPPED);
            return;
        }
        if (src instanceof Endpoint.Registry s && dst instanceof Endpoint.Registry t
                && s.client().host().equals(t.client().host()) && !s.repo().equals(t.repo())
                && t.client().mountBlob(t.repo(), d.digest(), s.repo())) {
            skipped.incrementAndGet();
            progress.finished(d, Progress.Outcome.MOUNTED);
            return;
        }
        dst.putBlob(d, offset -> new java.io.FilterInputStream(offset == 0 ? src.blob(d) : src.blob(d, offset)) {
            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    progress.transferred(d, n);
                }
                return n;
            }
        });
        copied.incrementAndGet();
        bytes.addAndGet(d.size());
        progress.finished(d, Progress.Outcome.COPIED);
    }
}
