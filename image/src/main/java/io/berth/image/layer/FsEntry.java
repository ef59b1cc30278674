package io.berth.image.layer;

import io.berth.image.fs.Xattrs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One filesystem object as a layer sees it: type, permission bits (with setuid/setgid/sticky),
 * owner, size, mtime, link target, device numbers, inode identity (for hardlinks) and xattrs.
 * Read with {@code unix:} attributes, never following symlinks.
 */
record FsEntry(
        Path path,
        String name,
        Type type,
        int mode,
        long uid,
        long gid,
        long size,
        FileTime mtime,
        Optional<String> linkTarget,
        long rdev,
        long dev,
        long ino,
        int nlink,
        Map<String, byte[]> xattrs) {

    enum Type { DIR, FILE, SYMLINK, CHAR, BLOCK, FIFO, SOCKET }

    private static final int S_IFMT = 0170000;

    static FsEntry read(Path path, String name) {
        try {
            Map<String, Object> a = Files.readAttributes(path,
                    "unix:mode,uid,gid,size,lastModifiedTime,rdev,dev,ino,nlink", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            Type type = switch (mode & S_IFMT) {
                case 0040000 -> Type.DIR;
                case 0100000 -> Type.FILE;
                case 0120000 -> Type.SYMLINK;
                case 0020000 -> Type.CHAR;
                case 0060000 -> Type.BLOCK;
                case 0010000 -> Type.FIFO;
                default -> Type.SOCKET;
            };
            Optional<String> target = type == Type.SYMLINK
                    ? Optional.of(Files.readSymbolicLink(path).toString()) : Optional.empty();
            Map<String, byte[]> xattrs = new LinkedHashMap<>();
            if (type != Type.SOCKET) {
                for (String x : Xattrs.list(path)) {
                    Xattrs.get(path, x).ifPresent(v -> xattrs.put(x, v));
                }
            }
            return new FsEntry(path, name, type, mode & 07777, ((Number) a.get("uid")).longValue(),
                    ((Number) a.get("gid")).longValue(), type == Type.FILE ? (Long) a.get("size") : 0,
                    (FileTime) a.get("lastModifiedTime"), target, (Long) a.get("rdev"), (Long) a.get("dev"),
                    (Long) a.get("ino"), (Integer) a.get("nlink"), xattrs);
        } catch (IOException e) {
            throw new UncheckedIOException("stat " + path, e);
        }
    }

    /** The children of a directory, sorted by the bytes of their names (deterministic tar order). */
    static List<Path> children(Path dir) {
        try (var s = Files.list(dir)) {
            return s.sorted((x, y) -> compareNames(x.getFileName().toString(), y.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("list " + dir, e);
        }
    }

    static int compareNames(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether two entries describe the same object state (the diff's "unchanged"). */
    boolean sameAs(FsEntry o) {
        if (type != o.type || mode != o.mode || uid != o.uid || gid != o.gid || size != o.size
                || !linkTarget.equals(o.linkTarget) || rdev != o.rdev
                || (type != Type.DIR && !mtime.equals(o.mtime))) {
            return false;
        }
        if (!xattrs.keySet().equals(o.xattrs.keySet())) {
            return false;
        }
        for (var e : xattrs.entrySet()) {
            if (!java.util.Arrays.equals(e.getValue(), o.xattrs.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
