package io.berth.image.tar;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A reader for the tar formats layers use (layer.md: "the tar archive format ... POSIX.1-2001 pax,
 * ustar and GNU"): ustar headers with octal or base-256 numbers, PAX extended headers (local {@code x}
 * and global {@code g}: path, linkpath, size, uid, gid, mtime, {@code SCHILY.xattr.*},
 * {@code LIBARCHIVE.xattr.*}), GNU long names and link names ({@code L}, {@code K}).
 *
 * <p>Written for the unpacker rather than taken from a library because xattr values must stay bytes
 * (a general tar library decodes PAX values as UTF-8 and so corrupts {@code security.capability}),
 * and because every length the stream claims is bounded before anything is allocated. Sparse files
 * are refused with a clear error.
 */
public final class TarReader {
    static final int BLOCK = 512;

    private final InputStream in;
    private final int maxHeaderBytes;
    private final byte[] header = new byte[BLOCK];
    private final Map<String, byte[]> global = new HashMap<>();
    private long remaining;
    private long padding;
    private long entries;

    /** {@code maxHeaderBytes} bounds PAX records and GNU long names. */
    public TarReader(InputStream in, int maxHeaderBytes) {
        this.in = in;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    /** The next entry, or empty at the end of the archive. Skips what is left of the current one. */
    public Optional<TarEntry> next() throws IOException {
        skipRest();
        Map<String, byte[]> pax = new LinkedHashMap<>();
        String gnuName = null;
        String gnuLink = null;
        while (true) {
            if (!readBlock(header, true)) {
                return Optional.empty();
            }
            if (isZero(header)) {
                return Optional.empty(); // end-of-archive marker (the second zero block is not required)
            }
            entries++;
            verifyChecksum();
            char flag = (char) (header[156] & 0xff);
            long size = number(124, 12, "size");
            switch (flag) {
                case 'x' -> {
                    parsePax(readSmall(size, "pax header"), pax);
                    continue;
                }
                case 'g' -> {
                    parsePax(readSmall(size, "global pax header"), global);
                    continue;
                }
                case 'L' -> {
                    gnuName = cString(readSmall(size, "GNU long name"));
                    continue;
                }
                case 'K' -> {
                    gnuLink = cString(readSmall(size, "GNU long link name"));
                    continue;
                }
                default -> {
                    // an entry
                }
            }
            Map<String, byte[]> attrs = new LinkedHashMap<>(global);
            attrs.putAll(pax);
            String name = text(attrs.get("path")).orElse(gnuName != null ? gnuName : ustarName());
            String link = text(attrs.get("linkpath")).orElse(gnuLink != null ? gnuLink : field(157, 100));
            if (attrs.containsKey("GNU.sparse.map") || attrs.containsKey("GNU.sparse.major") || flag == 'S') {
                throw new TarFormatException("tar entry \"" + name + "\": sparse files are not supported");
            }
            TarEntry.Type type = switch (flag) {
                case '0', '\0', '7' -> name.endsWith("/") ? TarEntry.Type.DIR : TarEntry.Type.FILE;
                case '1' -> TarEntry.Type.HARDLINK;
                case '2' -> TarEntry.Type.SYMLINK;
                case '3' -> TarEntry.Type.CHAR;
                case '4' -> TarEntry.Type.BLOCK;
                case '5' -> TarEntry.Type.DIR;
                case '6' -> TarEntry.Type.FIFO;
                default -> throw new TarFormatException("tar entry \"" + name + "\": unsupported type flag '"
                        + printable(flag) + "'");
            };
            long entrySize = decimal(attrs, "size", name).orElse(size);
            if (entrySize < 0) {
                throw new TarFormatException("tar entry \"" + name + "\": negative size");
            }
            long uid = decimal(attrs, "uid", name).orElse(number(108, 8, "uid"));
            long gid = decimal(attrs, "gid", name).orElse(number(116, 8, "gid"));
            FileTime mtime = paxTime(attrs.get("mtime"), name).orElse(FileTime.from(Instant.ofEpochSecond(
                    number(136, 12, "mtime"))));
            long major = 0;
            long minor = 0;
            if (type == TarEntry.Type.CHAR || type == TarEntry.Type.BLOCK) {
                major = number(329, 8, "devmajor");
                minor = number(337, 8, "devminor");
            }
            Map<String, byte[]> xattrs = new LinkedHashMap<>();
            for (Map.Entry<String, byte[]> a : attrs.entrySet()) {
                if (a.getKey().startsWith("SCHILY.xattr.")) {
                    xattrs.put(a.getKey().substring("SCHILY.xattr.".length()), a.getValue());
                } else if (a.getKey().startsWith("LIBARCHIVE.xattr.")) {
                    // libarchive: the name URL-encoded, the value base64
                    String n = java.net.URLDecoder.decode(a.getKey().substring("LIBARCHIVE.xattr.".length()),
                            StandardCharsets.UTF_8);
                    try {
                        xattrs.putIfAbsent(n, Base64.getDecoder().decode(a.getValue()));
                    } catch (IllegalArgumentException e) {
                        throw new TarFormatException("tar entry \"" + name + "\": invalid base64 in " + a.getKey());
                    }
                }
            }
            // Only regular files carry data; for links, devices, fifos and directories the size field
            // is ignored (they are header-only, as Go's archive/tar treats them).
            boolean hasData = type == TarEntry.Type.FILE;
            remaining = hasData ? entrySize : 0;
            padding = hasData ? (BLOCK - (entrySize % BLOCK)) % BLOCK : 0;
            return Optional.of(new TarEntry(name, type, link, (int) (number(100, 8, "mode") & 07777), uid, gid,
                    hasData ? entrySize : 0, mtime, major, minor, xattrs));
        }
    }

    /** Reads the current entry's data; -1 at its end. */
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("tar stream ends inside an entry's data");
        }
        remaining -= n;
        return n;
    }

    private void skipRest() throws IOException {
        long skip = remaining + padding;
        remaining = 0;
        padding = 0;
        byte[] buf = new byte[8192];
        while (skip > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, skip));
            if (n < 0) {
                throw new EOFException("tar stream ends inside an entry");
            }
            skip -= n;
        }
    }

    private boolean readBlock(byte[] b, boolean eofOk) throws IOException {
        int off = 0;
        while (off < BLOCK) {
            int n = in.read(b, off, BLOCK - off);
            if (n < 0) {
                if (off == 0 && eofOk) {
                    return false;
                }
                throw new EOFException("tar stream ends inside a header");
            }
            off += n;
        }
        return true;
    }

    private byte[] readSmall(long size, String what) throws IOException {
        if (size < 0 || size > maxHeaderBytes) {
            throw new TarFormatException("tar " + what + " of " + size + " bytes is larger than the limit of "
                    + maxHeaderBytes);
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new EOFException("tar stream ends inside a " + what);
        }
        long pad = (BLOCK - (size % BLOCK)) % BLOCK;
        if (in.readNBytes((int) pad).length != pad) {
            throw new EOFException("tar stream ends inside a " + what);
        }
        return data;
    }

    /** PAX records: "%d %s=%s\n", the length counting the whole record. */
    private static void parsePax(byte[] data, Map<String, byte[]> into) {
        int pos = 0;
        while (pos < data.length) {
            int sp = pos;
            while (sp < data.length && data[sp] != ' ') {
                sp++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(data, pos, sp - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new TarFormatException("tar pax header: invalid record length");
            }
            int end = pos + len;
            if (len <= 0 || end > data.length || sp >= end || data[end - 1] != '\n') {
                throw new TarFormatException("tar pax header: malformed record");
            }
            int eq = sp + 1;
            while (eq < end && data[eq] != '=') {
                eq++;
            }
            if (eq >= end) {
                throw new TarFormatException("tar pax header: record without '='");
            }
            String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            byte[] value = java.util.Arrays.copyOfRange(data, eq + 1, end - 1);
            if (value.length == 0) {
                into.remove(key); // an empty value unsets the key
            } else {
                into.put(key, value);
            }
            pos = end;
        }
    }

    private void verifyChecksum() {
        long stored = number(148, 8, "checksum");
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int v = (i >= 148 && i < 156) ? ' ' : header[i];
            unsigned += v & 0xff;
            signed += (i >= 148 && i < 156) ? ' ' : v;
        }
        if (stored != unsigned && stored != signed) {
            throw new TarFormatException("tar header " + entries + " (\"" + ustarName() + "\"): bad checksum");
        }
    }

    private String ustarName() {
        String name = field(0, 100);
        boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
                && header[261] == 'r' && header[262] == 0;
        if (ustar && header[345] != 0) {
            return field(345, 155) + "/" + name;
        }
        return name;
    }

    private String field(int off, int len) {
        int end = off;
        while (end < off + len && header[end] != 0) {
            end++;
        }
        return new String(header, off, end - off, StandardCharsets.UTF_8);
    }

    /** A numeric header field: octal ASCII, or base-256 when the top bit of the first byte is set. */
    private long number(int off, int len, String what) {
        if ((header[off] & 0x80) != 0) {
            long v = header[off] & 0x3f;
            boolean negative = (header[off] & 0x40) != 0;
            for (int i = off + 1; i < off + len; i++) {
                if (v > (Long.MAX_VALUE >> 8)) {
                    throw new TarFormatException("tar header field " + what + ": number too large");
                }
                v = (v << 8) | (header[i] & 0xff);
            }
            if (negative) {
                throw new TarFormatException("tar header field " + what + ": negative number");
            }
            return v;
        }
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && (header[i] == ' ' || header[i] == 0)) {
            i++;
        }
        for (; i < end; i++) {
            byte c = header[i];
            if (c == 0 || c == ' ') {
                break;
            }
            if (c < '0' || c > '7') {
                throw new TarFormatException("tar header field " + what + ": invalid octal digit");
            }
            if (v > (Long.MAX_VALUE >> 3)) {
                throw new TarFormatException("tar header field " + what + ": number too large");
            }
            v = (v << 3) | (c - '0');
        }
        return v;
    }

    private static Optional<Long> decimal(Map<String, byte[]> attrs, String key, String entry) {
        Optional<String> s = text(attrs.get(key));
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(s.get()));
        } catch (NumberFormatException e) {
            throw new TarFormatException("tar entry \"" + entry + "\": invalid pax " + key + " \"" + s.get() + "\"");
        }
    }

    private static Optional<FileTime> paxTime(byte[] v, String entry) {
        Optional<String> s = text(v);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            java.math.BigDecimal d = new java.math.BigDecimal(s.get());
            long secs = d.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
            long nanos = d.subtract(java.math.BigDecimal.valueOf(secs)).movePointRight(9).longValue();
            return Optional.of(FileTime.from(Instant.ofEpochSecond(secs, nanos)));
        } catch (NumberFormatException | ArithmeticException | java.time.DateTimeException e) {
            throw new TarFormatException("tar entry \"" + entry + "\": invalid pax mtime \"" + s.get() + "\"");
        }
    }

    private static Optional<String> text(byte[] v) {
        return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.UTF_8));
    }

    private static String cString(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c);
    }
}
