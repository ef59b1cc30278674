package io.berth.registry.storage;

import io.berth.registry.RepositoryName;
import io.berth.registry.Tag;
import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.InvalidDigestException;
import io.berth.spec.json.JsonCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** Per-repository links, manifests, tags and referrers as small files ({@link FsLayout}). */
final class FsRepositoryStore implements Links, Manifests, Tags, Referrers, Catalog {
    private static final byte[] EMPTY = new byte[0];

    private final FsLayout layout;

    FsRepositoryStore(FsLayout layout) {
        this.layout = layout;
    }

    private Path digestPath(RepositoryName r, String kind, Digest d) {
        return layout.repository(r).resolve(kind).resolve(d.algorithm()).resolve(d.encoded());
    }

    // ---- Links

    @Override
    public void link(RepositoryName repository, Digest blob) {
        Path p = digestPath(repository, "_layers", blob);
        if (!Files.exists(p)) {
            layout.writeAtomic(p, EMPTY);
        }
    }

    @Override
    public boolean isLinked(RepositoryName repository, Digest blob) {
        return Files.exists(digestPath(repository, "_layers", blob));
    }

    @Override
    public boolean unlink(RepositoryName repository, Digest blob) {
        return FsLayout.delete(digestPath(repository, "_layers", blob));
    }

    @Override
    public List<Digest> linked(RepositoryName repository) {
        return digestsIn(layout.repository(repository).resolve("_layers"));
    }

    // ---- Manifests

    @Override
    public void put(RepositoryName repository, Digest digest, String mediaType) {
        layout.writeAtomic(digestPath(repository, "_manifests", digest), mediaType.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Optional<String> mediaType(RepositoryName repository, Digest digest) {
        return FsLayout.readIfExists(digestPath(repository, "_manifests", digest))
                .map(b -> new String(b, StandardCharsets.UTF_8));
    }

    @Override
    public Object version(RepositoryName repository, Digest digest) {
        return FsLayout.version(digestPath(repository, "_manifests", digest));
    }

    @Override
    public boolean delete(RepositoryName repository, Digest digest) {
        return FsLayout.delete(digestPath(repository, "_manifests", digest));
    }

    @Override
    public List<Digest> digests(RepositoryName repository) {
        return digestsIn(layout.repository(repository).resolve("_manifests"));
    }

    private static List<Digest> digestsIn(Path kindDir) {
        List<Digest> out = new ArrayList<>();
        for (Path alg : children(kindDir)) {
            for (Path f : children(alg)) {
                try {
                    out.add(new Digest(alg.getFileName().toString(), f.getFileName().toString()));
                } catch (InvalidDigestException e) {
                    // a stray file: not a link
                }
            }
        }
        Collections.sort(out);
        return out;
    }

    // ---- Tags

    private Path tagPath(RepositoryName r, Tag t) {
        return layout.repository(r).resolve("_tags").resolve(t.value());
    }

    @Override
    public void set(RepositoryName repository, Tag tag, Digest manifest) {
        layout.writeAtomic(tagPath(repository, tag), manifest.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Optional<Digest> resolve(RepositoryName repository, Tag tag) {
        return FsLayout.readIfExists(tagPath(repository, tag))
                .map(b -> Digest.parse(new String(b, StandardCharsets.UTF_8).trim()));
    }

    @Override
    public Object version(RepositoryName repository, Tag tag) {
        return FsLayout.version(tagPath(repository, tag));
    }

    @Override
    public boolean delete(RepositoryName repository, Tag tag) {
        return FsLayout.delete(tagPath(repository, tag));
    }

    @Override
    public List<Tag> list(RepositoryName repository) {
        List<Tag> out = new ArrayList<>();
        for (Path p : children(layout.repository(repository).resolve("_tags"))) {
            String n = p.getFileName().toString();
            if (Tag.isValid(n)) {
                out.add(new Tag(n));
            }
        }
        Collections.sort(out); // String order is Go's sort.Strings order for ASCII tags
        return out;
    }

    // ---- Referrers

    private Path referrerPath(RepositoryName r, Digest subject, Digest referrer) {
        return digestPath(r, "_referrers", subject).resolve(referrer.algorithm() + "-" + referrer.encoded());
    }

    @Override
    public void add(RepositoryName repository, Digest subject, Descriptor referrer) {
        layout.writeAtomic(referrerPath(repository, subject, referrer.digest()), JsonCodec.write(referrer.toJson()));
    }

    @Override
    public void remove(RepositoryName repository, Digest subject, Digest referrer) {
        FsLayout.delete(referrerPath(repository, subject, referrer));
    }

    @Override
    public List<Descriptor> list(RepositoryName repository, Digest subject) {
        List<Descriptor> out = new ArrayList<>();
        for (Path p : children(digestPath(repository, "_referrers", subject))) {
            FsLayout.readIfExists(p).ifPresent(b -> out.add(Descriptor.read(JsonCodec.parseObject(b, p.toString()))));
        }
        out.sort((a, b) -> a.digest().compareTo(b.digest()));
        return out;
    }

    // ---- Catalog

    @Override
    public List<RepositoryName> repositories() {
        List<RepositoryName> out = new ArrayList<>();
        walkRepositories(layout.repositoriesDir(), "", out);
        Collections.sort(out);
        return out;
    }

    private void walkRepositories(Path dir, String prefix, List<RepositoryName> out) {
        for (Path child : children(dir)) {
            String n = child.getFileName().toString();
            if (n.startsWith("_") || !Files.isDirectory(child)) {
                continue;
            }
            String name = prefix.isEmpty() ? n : prefix + "/" + n;
            if (isRepository(child)) {
                try {
                    out.add(RepositoryName.of(name));
                } catch (RuntimeException e) {
                    continue; // not a valid name: not ours
                }
            }
            walkRepositories(child, name, out);
        }
    }

    private static boolean isRepository(Path dir) {
        return Files.isDirectory(dir.resolve("_layers")) || Files.isDirectory(dir.resolve("_manifests"))
                || Files.isDirectory(dir.resolve("_tags"));
    }

    @Override
    public boolean exists(RepositoryName repository) {
        return isRepository(layout.repository(repository));
    }

    /** The entries of a directory, sorted by name; empty if it does not exist. */
    private static List<Path> children(Path dir) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(out::add);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("list " + dir, e);
        }
        out.sort(null);
        return out;
    }
}
