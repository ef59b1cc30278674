package io.berth.client;

import io.berth.client.registry.Credentials;
import io.berth.client.registry.RegistryClient;
import io.berth.client.transport.ImageName;
import io.berth.image.ImageException;
import io.berth.image.layout.OciLayout;
import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongFunction;

/**
 * One side of a copy: an OCI layout or a registry repository. Small on purpose: what a copy needs
 * to read (the top document, any document, blobs) and to write (blobs, documents, the name).
 */
sealed interface Endpoint {
    /** A document's exact bytes with its descriptor. */
    record Doc(Descriptor descriptor, byte[] bytes) {}

    /** The document the name points at (tag or digest). */
    Doc top(String reference);

    /** A document (manifest, index, config) by descriptor. */
    byte[] document(Descriptor d);

    /**
     * A blob's bytes. Both destinations verify what they store (the content store's ingest; a
     * registry checks a pushed digest), so sources check sizes, not digests.
     */
    InputStream blob(Descriptor d);

    /** A blob's bytes from {@code offset} on (to resume an interrupted upload). */
    InputStream blob(Descriptor d, long offset);

    boolean hasBlob(Descriptor d);

    /** Stores a blob; {@code content} opens it from an offset (0 first, more when resuming). */
    void putBlob(Descriptor d, LongFunction<InputStream> content);

    /** Stores a manifest or index by digest (and, for the top one, by {@code tag} when present). */
    void putDocument(Doc doc, Optional<String> tag);

    /** A layout endpoint (created when missing). */
    static Layout layout(ImageName.Layout l) {
        return new Layout(l.path().resolve("oci-layout").toFile().exists() ? OciLayout.open(l.path())
                : OciLayout.openOrCreate(l.path()));
    }

    /** A registry endpoint for where registries.conf sends us. */
    static Registry registry(io.berth.client.registry.RegistriesConf.Endpoint e, Copier.Options o) {
        return new Registry(new RegistryClient(e.host(), new RegistryClient.Options(o.plainHttp() || e.insecure(),
                Credentials.lookup(e.host(), o.authFiles()), java.time.Duration.ofSeconds(60))), e.repository());
    }

    /** An OCI image layout (image-layout.md). */
    record Layout(OciLayout layout) implements Endpoint {
        static final long MAX_DOC = 16L << 20;

        @Override
        public Doc top(String reference) {
            Descriptor d;
            if (reference.startsWith("sha256:") || reference.startsWith("sha512:")) {
                Digest digest = Digest.parse(reference);
                d = layout.index().manifests().stream().filter(x -> x.digest().equals(digest)).findFirst()
                        .orElseThrow(() -> new ClientException("image " + reference + " not found in " + layout.root()));
            } else {
                d = layout.resolveTag(reference).orElseThrow(() -> new ClientException("image " + reference
                        + " not found in " + layout.root()));
            }
            return new Doc(d, document(d));
        }

        @Override
        public byte[] document(Descriptor d) {
            return layout.blobs().read(d, MAX_DOC);
        }

        @Override
        public InputStream blob(Descriptor d) {
            return layout.blobs().open(d.digest());
        }

        @Override
        public InputStream blob(Descriptor d, long offset) {
            InputStream in = layout.blobs().open(d.digest());
            try {
                in.skipNBytes(offset);
            } catch (IOException e) {
                throw new UncheckedIOException("read blob " + d.digest() + " from byte " + offset, e);
            }
            return in;
        }

        @Override
        public boolean hasBlob(Descriptor d) {
            return layout.blobs().has(d.digest());
        }

        @Override
        public void putBlob(Descriptor d, LongFunction<InputStream> content) {
            try (InputStream in = content.apply(0)) {
                layout.blobs().ingest(in, Optional.of(d.digest()), OptionalLong.of(d.size()));
            } catch (IOException e) {
                throw new UncheckedIOException("store blob " + d.digest() + " in " + layout.root(), e);
            } catch (ImageException e) {
                throw new ClientException("store blob " + d.digest() + " in " + layout.root() + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void putDocument(Doc doc, Optional<String> tag) {
            putBlob(doc.descriptor(), off -> new java.io.ByteArrayInputStream(doc.bytes(), (int) off,
                    doc.bytes().length - (int) off));
            tag.ifPresent(t -> layout.tag(t, doc.descriptor().withPlatform(Optional.empty())
                    .withAnnotations(java.util.Map.of())));
        }
    }

    /** A repository in a registry (distribution-spec). */
    record Registry(RegistryClient client, String repo) implements Endpoint {
        @Override
        public Doc top(String reference) {
            RegistryClient.Manifested m = client.getManifest(repo, reference).orElseThrow(() -> new ClientException(
                    "image " + client.host() + "/" + repo + ":" + reference + " not found (MANIFEST_UNKNOWN)", 404,
                    "MANIFEST_UNKNOWN"));
            return new Doc(m.descriptor(), m.bytes());
        }

        @Override
        public byte[] document(Descriptor d) {
            RegistryClient.Manifested m = client.getManifest(repo, d.digest().toString()).orElseThrow(() ->
                    new ClientException("manifest " + d.digest() + " not found in " + client.host() + "/" + repo));
            return m.bytes();
        }

        @Override
        public InputStream blob(Descriptor d) {
            return client.getBlob(repo, d, false);
        }

        @Override
        public InputStream blob(Descriptor d, long offset) {
            return client.getBlobFrom(repo, d, offset);
        }

        @Override
        public boolean hasBlob(Descriptor d) {
            return client.hasBlob(repo, d.digest());
        }

        @Override
        public void putBlob(Descriptor d, LongFunction<InputStream> content) {
            client.putBlob(repo, d, content);
        }

        @Override
        public void putDocument(Doc doc, Optional<String> tag) {
            MediaType mt = doc.descriptor().mediaType();
            client.putManifest(repo, tag.orElse(doc.descriptor().digest().toString()), doc.bytes(), mt);
        }
    }
}
