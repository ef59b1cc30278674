package io.berth.image.layer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Writes a POSIX.1-2001 (PAX) tar stream: ustar headers, with a PAX extended header ({@code x})
 * before an entry only when a value does not fit ustar — a path or link target longer than 100
 * bytes or not ASCII, a uid/gid above 07777777, a size of 8 GiB or more — or the entry has
 * extended attributes ({@code SCHILY.xattr.<name>}, as GNU tar, Go's archive/tar and containerd
 * write them).
 *
 * <p>Own writer rather than commons-compress's {@code TarArchiveOutputStream}: PAX values there are
 * Java strings encoded as UTF-8, so binary xattr values such as {@code security.capability}
 * (bytes above 0x7f) would be corrupted; and its entries pick up the JVM user's name and access
 * times unless every field is reset. Here every byte of a header comes from {@link Header}: output
 * depends on nothing else (deterministic), and uname/gname are always empty.
 */
final class TarWriter {
    static final int BLOCK = 512;
    static final char REGULAR = '0';
    static final char HARDLINK = '1';
    static final char SYMLINK = '2';
    static final char CHAR_DEVICE = '3';
    static final char BLOCK_DEVICE = '4';
    static final char DIRECTORY = '5';
    static final char FIFO = '6';
    private static final char PAX = 'x';

    private static final long MAX_OCTAL_7 = 07777777L;
    private static final long MAX_OCTAL_11 = 077777777777L;

    /**
     * One entry's header.
     *
     * @param name path relative to the layer root, no leading {@code /} or {@code ./}; directories end in {@code /}
     * @param mode permission bits with setuid/setgid/sticky (07777), no file type bits
     * @param mtime seconds since the epoch
     * @param xattrs extended attributes by full name ({@code user.x}, {@code security.capability})
     */
    record Header(String name, char type, int mode, long uid, long gid, long size, long mtime, String linkName,
            int devMajor, int devMinor, SortedMap<String, byte[]> xattrs) {}

    private final OutputStream out;
    private final byte[] block = new byte[BLOCK];
    private long remaining;
    private long written;

    TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Starts an entry; for a regular file, exactly {@code size} bytes of {@link #data} must follow. */
    void header(Header h) throws IOException {
        if (remaining != 0) {
            throw new IllegalStateException("tar: " + remaining + " bytes of the previous entry missing");
        }
        SortedMap<String, byte[]> pax = new TreeMap<>();
        byte[] name = h.name().getBytes(StandardCharsets.UTF_8);
        if (name.length > 100 || !ascii(name)) {
            pax.put("path", name);
        }
        byte[] link = h.linkName().getBytes(StandardCharsets.UTF_8);
        if (link.length > 100 || !ascii(link)) {
            pax.put("linkpath", link);
        }
        if (h.uid() > MAX_OCTAL_7) {
            pax.put("uid", Long.toString(h.uid()).getBytes(StandardCharsets.US_ASCII));
        }
        if (h.gid() > MAX_OCTAL_7) {
            pax.put("gid", Long.toString(h.gid()).getBytes(StandardCharsets.US_ASCII));
        }
        if (h.size() > MAX_OCTAL_11) {
            pax.put("size", Long.toString(h.size()).getBytes(StandardCharsets.US_ASCII));
        }
        if (h.mtime() < 0 || h.mtime() > MAX_OCTAL_11) {
            pax.put("mtime", Long.toString(h.mtime()).getBytes(StandardCharsets.US_ASCII));
        }
        for (Map.Entry<String, byte[]> x : h.xattrs().entrySet()) {
            pax.put("SCHILY.xattr." + x.getKey(), x.getValue());
        }
        if (!pax.isEmpty()) {
            byte[] records = paxRecords(pax);
            writeBlock(ustar(paxName(h.name()), PAX, 0644, 0, 0, records.length, Math.max(0, Math.min(h.mtime(),
                    MAX_OCTAL_11)), new byte[0], 0, 0));
            remaining = records.length;
            data(records, 0, records.length);
            endEntry();
        }
        writeBlock(ustar(name, h.type(), h.mode(), h.uid(), h.gid(), h.type() == REGULAR ? h.size() : 0,
                h.mtime(), link, h.devMajor(), h.devMinor()));
        remaining = h.type() == REGULAR ? h.size() : 0;
    }

    /** Content of the current entry. */
    void data(byte[] b, int off, int len) throws IOException {
        if (len > remaining) {
            throw new IllegalStateException("tar: entry content exceeds its size by " + (len - remaining) + " bytes");
        }
        out.write(b, off, len);
        remaining -= len;
        written += len;
    }

    /** Bytes of content the current entry still expects. */
    long remaining() {
        return remaining;
    }

    /** Pads the current entry's content to a whole block. */
    void endEntry() throws IOException {
        if (remaining != 0) {
            throw new IllegalStateException("tar: entry ended " + remaining + " bytes short");
        }
        int pad = (int) ((BLOCK - written % BLOCK) % BLOCK);
        if (pad > 0) {
            Arrays.fill(block, (byte) 0);
            out.write(block, 0, pad);
            written += pad;
        }
    }

    /** The end-of-archive marker: two zero blocks. Does not close the underlying stream. */
    void finish() throws IOException {
        Arrays.fill(block, (byte) 0);
        writeBlock(block);
        writeBlock(block);
        out.flush();
    }

    private void writeBlock(byte[] b) throws IOException {
        out.write(b, 0, BLOCK);
        written += BLOCK;
    }

    private byte[] ustar(byte[] name, char type, int mode, long uid, long gid, long size, long mtime, byte[] link,
            int devMajor, int devMinor) {
        byte[] b = block;
        Arrays.fill(b, (byte) 0);
        System.arraycopy(name, 0, b, 0, Math.min(name.length, 100));
        octal(b, 100, 8, mode & 07777);
        octal(b, 108, 8, uid > MAX_OCTAL_7 ? 0 : uid);
        octal(b, 116, 8, gid > MAX_OCTAL_7 ? 0 : gid);
        octal(b, 124, 12, size > MAX_OCTAL_11 ? 0 : size);
        octal(b, 136, 12, mtime < 0 || mtime > MAX_OCTAL_11 ? 0 : mtime);
        Arrays.fill(b, 148, 156, (byte) ' ');
        b[156] = (byte) type;
        System.arraycopy(link, 0, b, 157, Math.min(link.length, 100));
        byte[] magic = {'u', 's', 't', 'a', 'r', 0, '0', '0'};
        System.arraycopy(magic, 0, b, 257, magic.length);
        // uname (265, 32) and gname (297, 32) stay empty: layer.md says they "should be ignored"
        octal(b, 329, 8, devMajor);
        octal(b, 337, 8, devMinor);
        long sum = 0;
        for (byte x : b) {
            sum += x & 0xff;
        }
        octal(b, 148, 7, sum);
        b[155] = ' ';
        return b;
    }

    /** Zero-padded octal digits followed by a NUL, filling {@code len} bytes. */
    private static void octal(byte[] b, int off, int len, long v) {
        int digits = len - 1;
        for (int i = digits - 1; i >= 0; i--) {
            b[off + i] = (byte) ('0' + (v & 7));
            v >>>= 3;
        }
        b[off + digits] = 0;
    }

    /** PAX records "{@code <length> <key>=<value>\n}", the length counting itself. */
    private static byte[] paxRecords(SortedMap<String, byte[]> pax) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : pax.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            int base = 1 + key.length + 1 + e.getValue().length + 1; // ' ' key '=' value '\n'
            int len = base + Integer.toString(base).length();
            if (Integer.toString(len).length() != Integer.toString(base).length()) {
                len = base + Integer.toString(len).length();
            }
            out.writeBytes(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
            out.write(' ');
            out.writeBytes(key);
            out.write('=');
            out.writeBytes(e.getValue());
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** The name of a PAX header entry: "PaxHeaders.0/" and the ASCII of the entry's base name. */
    private static byte[] paxName(String name) {
        String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        String base = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        StringBuilder sb = new StringBuilder("PaxHeaders.0/");
        for (int i = 0; i < base.length() && sb.length() < 99; i++) {
            char c = base.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '_');
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean ascii(byte[] b) {
        for (byte x : b) {
            if (x < 0x20) {
                return false; // also catches bytes >= 0x80 (negative) and control characters
            }
        }
        return true;
    }
}
