package io.berth.image.testing;

import io.berth.image.fs.Xattrs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Compares two rootfs trees: the set of paths, and for each its type, permission bits (setuid,
 * setgid, sticky included), owner, content hash, symlink target, device numbers, xattrs, which paths
 * share an inode (hardlinks), and optionally mtimes (of everything but directories and the root).
 * Returns the differences as readable lines; empty means the trees match.
 */
public final class TreeDiff {
    private TreeDiff() {}

    public static List<String> compare(Path a, Path b, boolean mtimes) {
        Map<String, String> da = describe(a, mtimes);
        Map<String, String> db = describe(b, mtimes);
        List<String> out = new ArrayList<>();
        for (var e : da.entrySet()) {
            String other = db.get(e.getKey());
            if (other == null) {
                out.add("only in " + a + ": " + e.getKey());
            } else if (!other.equals(e.getValue())) {
                out.add(e.getKey() + ": " + e.getValue() + " vs " + other);
            }
        }
        for (String k : db.keySet()) {
            if (!da.containsKey(k)) {
                out.add("only in " + b + ": " + k);
            }
        }
        return out;
    }

    /** One line per path describing everything compared. */
    public static Map<String, String> describe(Path root, boolean mtimes) {
        Map<String, String> out = new TreeMap<>();
        Map<String, String> inodeFirst = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted().toList()) {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty()) {
                    continue;
                }
                Map<String, Object> at = Files.readAttributes(p, "unix:mode,uid,gid,ino,dev,rdev,nlink,lastModifiedTime",
                        LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) at.get("mode");
                StringBuilder d = new StringBuilder();
                d.append(String.format("mode=%o uid=%s gid=%s", mode, at.get("uid"), at.get("gid")));
                int type = mode & 0170000;
                if (type == 0120000) {
                    d.append(" -> ").append(Files.readSymbolicLink(p));
                } else if (type == 0100000) {
                    d.append(" sha256=").append(hash(p));
                    if ((Integer) at.get("nlink") > 1) {
                        String key = at.get("dev") + ":" + at.get("ino");
                        String first = inodeFirst.putIfAbsent(key, rel);
                        d.append(" link-group=").append(first == null ? rel : first);
                    }
                } else if (type == 0020000 || type == 0060000) {
                    d.append(" rdev=").append(at.get("rdev"));
                }
                if (type != 0120000) {
                    for (String x : Xattrs.list(p)) {
                        d.append(" xattr:").append(x).append('=')
                                .append(HexFormat.of().formatHex(Xattrs.get(p, x).orElse(new byte[0])));
                    }
                }
                if (mtimes && type != 0040000) {
                    d.append(" mtime=").append(((java.nio.file.attribute.FileTime) at.get("lastModifiedTime")).toMillis() / 1000);
                }
                out.put(rel, d.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String hash(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
