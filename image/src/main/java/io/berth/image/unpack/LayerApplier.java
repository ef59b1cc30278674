package io.berth.image.unpack;

import io.berth.image.fs.InRoot;

import io.berth.image.ImageException;
import io.berth.image.fs.FileMeta;
import io.berth.image.fs.Mknod;
import io.berth.image.fs.Trees;
import io.berth.image.fs.NativeFsException;
import io.berth.image.fs.Xattrs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import io.berth.image.tar.TarEntry;
import io.berth.image.tar.TarReader;

/**
 * Applies one layer's tar stream to a rootfs (layer.md "Applying Changesets"): entries are added or
 * replace what is there; whiteouts remove what lower layers put there; every path is resolved with
 * {@link InRoot}. Directory mtimes are collected for the end of the unpack.
 */
final class LayerApplier {
    static final String WH = ".wh.";
    static final String OPQ = ".wh..wh..opq";
    private static final int BUFFER = 256 * 1024;

    private final InRoot root;
    private final UnpackOptions options;
    private final Budget budget;
    private final List<DirTime> dirTimes;
    private final byte[] buf = new byte[BUFFER];

    /** A directory's mtime, set once everything under it is written. */
    record DirTime(Path dir, int depth, FileTime mtime) {}

    /** Counters shared by all layers of one unpack. */
    static final class Budget {
        long entries;
        long bytes;
    }

    LayerApplier(InRoot root, UnpackOptions options, Budget budget, List<DirTime> dirTimes) {
        this.root = root;
        this.options = options;
        this.budget = budget;
        this.dirTimes = dirTimes;
    }

    /** Applies the layer; {@code layer} names it in errors. Reads the tar to its end. */
    void apply(InputStream tarStream, String layer) throws IOException {
        Set<String> addedHere = new HashSet<>();
        TarReader tar = new TarReader(tarStream, Math.max(options.maxPathLength(), options.maxXattrBytes()) * 4);
        while (true) {
            Optional<TarEntry> next = tar.next();
            if (next.isEmpty()) {
                break;
            }
            TarEntry e = next.get();
            if (++budget.entries > options.maxEntries()) {
                throw new ImageException("unpack layer " + layer + ": more than " + options.maxEntries()
                        + " entries (limit)");
            }
            String name = e.name();
            if (name.length() > options.maxPathLength()) {
                throw new ImageException("unpack layer " + layer + ": entry name of " + name.length()
                        + " bytes is longer than the limit of " + options.maxPathLength());
            }
            List<String> comps = InRoot.clean(name, "unpack layer " + layer + ": entry");
            String where = "layer " + layer + " entry \"" + name + "\"";
            if (comps.isEmpty()) {
                if (e.type() == TarEntry.Type.DIR) {
                    applyMetadata(root.root(), e, 0, where);
                }
                continue;
            }
            String base = comps.getLast();
            if (base.startsWith(WH)) {
                whiteout(comps, base, addedHere, where);
                continue;
            }
            addedHere.add(String.join("/", comps));
            Path parent = root.parentDir(comps, true, name);
            Path target = parent.resolve(base);
            if (e.type() == TarEntry.Type.DIR) {
                BasicFileAttributes a = InRoot.stat(target);
                if (a != null && !a.isDirectory()) {
                    Files.delete(target);
                    a = null;
                }
                if (a == null) {
                    Files.createDirectory(target);
                }
            } else if (e.type() == TarEntry.Type.SYMLINK) {
                String link = e.linkName();
                checkLength(link, where);
                removeAny(target);
                Files.createSymbolicLink(target, Path.of(link));
            } else if (e.type() == TarEntry.Type.HARDLINK) {
                List<String> lc = InRoot.clean(e.linkName(), "unpack " + where + ": hardlink target");
                Path src = root.existing(lc, name);
                BasicFileAttributes sa = src == null ? null : InRoot.stat(src);
                if (sa == null) {
                    throw new ImageException("unpack " + where + ": hardlink target \"" + e.linkName()
                            + "\" does not exist in the rootfs");
                }
                if (sa.isDirectory()) {
                    throw new ImageException("unpack " + where + ": hardlink target \"" + e.linkName()
                            + "\" is a directory");
                }
                if (!src.equals(target)) {
                    removeAny(target);
                    Files.createLink(target, src);
                }
                continue; // a hardlink shares the target's inode and metadata
            } else if (e.type() == TarEntry.Type.CHAR || e.type() == TarEntry.Type.BLOCK
                    || e.type() == TarEntry.Type.FIFO) {
                removeAny(target);
                int type = switch (e.type()) {
                    case FIFO -> Mknod.S_IFIFO;
                    case CHAR -> Mknod.S_IFCHR;
                    default -> Mknod.S_IFBLK;
                };
                try {
                    Mknod.mknod(target, type, e.mode(), e.devMajor(), e.devMinor());
                } catch (NativeFsException ex) {
                    if (options.skipDevices() && type != Mknod.S_IFIFO && ex.errno() == 1) {
                        continue; // EPERM without CAP_MKNOD: skipped, as umoci does rootless
                    }
                    throw new ImageException("unpack " + where + ": " + ex.getMessage(), ex);
                }
            } else {
                long size = e.size();
                budget.bytes += size;
                if (budget.bytes > options.maxTotalBytes()) {
                    throw new ImageException("unpack " + where + ": files add up to more than the limit of "
                            + options.maxTotalBytes() + " bytes");
                }
                removeAny(target);
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    long left = size;
                    while (left > 0) {
                        int n = tar.read(buf, 0, (int) Math.min(buf.length, left));
                        if (n < 0) {
                            throw new ImageException("unpack " + where + ": tar stream ends inside the entry");
                        }
                        out.write(buf, 0, n);
                        left -= n;
                    }
                }
            }
            applyMetadata(target, e, comps.size(), where);
        }
    }

    private void checkLength(String s, String where) {
        if (s.length() > options.maxPathLength()) {
            throw new ImageException("unpack " + where + ": link target of " + s.length()
                    + " bytes is longer than the limit of " + options.maxPathLength());
        }
    }

    /**
     * layer.md "Whiteouts": {@code .wh.<name>} removes {@code <name>} as lower layers left it;
     * {@code .wh..wh..opq} removes all of a directory's children from lower layers. What this layer
     * itself adds is not hidden ("Files that are present in the same layer as a whiteout file can only
     * be hidden by whiteout files in subsequent layers").
     */
    private void whiteout(List<String> comps, String base, Set<String> addedHere, String where) throws IOException {
        List<String> dirComps = comps.subList(0, comps.size() - 1);
        String dirKey = String.join("/", dirComps);
        Path dir = dirComps.isEmpty() ? root.root() : root.existing(dirComps, where);
        if (base.equals(OPQ)) {
            if (dir == null) {
                // The directory does not exist yet: make it, so the opaque layer's entries land in it.
                List<String> withChild = new ArrayList<>(dirComps);
                withChild.add("x");
                root.parentDir(withChild, true, where);
                return;
            }
            BasicFileAttributes a = InRoot.stat(dir);
            if (a == null || !a.isDirectory()) {
                return;
            }
            try (var s = Files.list(dir)) {
                for (Path child : s.toList()) {
                    String key = (dirKey.isEmpty() ? "" : dirKey + "/") + child.getFileName();
                    if (!addedHere.contains(key) && !hasAddedDescendant(addedHere, key)) {
                        removeAny(child);
                    }
                }
            }
            return;
        }
        String victim = base.substring(WH.length());
        if (victim.isEmpty() || victim.equals(".") || victim.equals("..")) {
            throw new ImageException("unpack " + where + ": invalid whiteout name");
        }
        String key = (dirKey.isEmpty() ? "" : dirKey + "/") + victim;
        if (dir == null || addedHere.contains(key)) {
            return;
        }
        Path p = dir.resolve(victim);
        if (InRoot.stat(p) != null) {
            removeAny(p);
        }
    }

    private static boolean hasAddedDescendant(Set<String> added, String key) {
        String prefix = key + "/";
        for (String a : added) {
            if (a.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    static void removeAny(Path p) throws IOException {
        Trees.remove(p);
    }

    /** Owner, then mode (chown clears setuid), xattrs, then mtime; never following the final symlink. */
    private void applyMetadata(Path p, TarEntry e, int depth, String where) throws IOException {
        boolean symlink = e.type() == TarEntry.Type.SYMLINK;
        if (!options.ignoreOwnership()) {
            Files.setAttribute(p, "unix:uid", (int) e.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", (int) e.gid(), LinkOption.NOFOLLOW_LINKS);
        }
        if (!symlink) {
            FileMeta.chmod(p, e.mode());
        }
        for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
            byte[] v = x.getValue();
            if (v.length > options.maxXattrBytes()) {
                throw new ImageException("unpack " + where + ": xattr " + x.getKey() + " of " + v.length
                        + " bytes is larger than the limit of " + options.maxXattrBytes());
            }
            try {
                Xattrs.set(p, x.getKey(), v);
            } catch (NativeFsException ex) {
                throw new ImageException("unpack " + where + ": " + ex.getMessage(), ex);
            }
        }
        FileTime mtime = e.mtime();
        if (e.type() == TarEntry.Type.DIR) {
            dirTimes.add(new DirTime(p, depth, mtime));
        } else {
            FileMeta.setTimes(p, mtime);
        }
    }
}
