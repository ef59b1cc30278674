package io.berth.image.tar;

import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * One tar entry as the reader saw it, after PAX ("x"/"g") and GNU long-name ("L"/"K") headers were
 * folded in. xattr values are raw bytes: {@code security.capability} is binary and must not pass
 * through a text decoding.
 */
public record TarEntry(
        String name,
        Type type,
        String linkName,
        int mode,
        long uid,
        long gid,
        long size,
        FileTime mtime,
        long devMajor,
        long devMinor,
        Map<String, byte[]> xattrs) {

    /** The entry types a layer may carry (POSIX ustar typeflag). */
    public enum Type { FILE, HARDLINK, SYMLINK, CHAR, BLOCK, DIR, FIFO }

    public TarEntry {
        xattrs = Map.copyOf(xattrs);
    }
}
