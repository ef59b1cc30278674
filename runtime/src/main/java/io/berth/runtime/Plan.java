package io.berth.runtime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The plan runtime-init executes: ops as NUL-terminated tokens (an op name, then its arguments),
 * framed by a little-endian u32 length. The op names and argument counts are runtime-init.c's
 * {@code OPS} table; this class only writes them.
 */
public final class Plan {
    private final List<List<String>> ops = new ArrayList<>();

    public Plan op(String name, Object... args) {
        List<String> op = new ArrayList<>(args.length + 1);
        op.add(name);
        for (Object a : args) {
            String s = String.valueOf(a);
            if (s.indexOf('\0') >= 0) {
                throw new RuntimeError("plan op " + name + ": argument contains a NUL byte: " + s.replace('\0', '?'));
            }
            op.add(s);
        }
        ops.add(op);
        return this;
    }

    public List<List<String>> ops() {
        return List.copyOf(ops);
    }

    public boolean has(String name) {
        return ops.stream().anyMatch(o -> o.getFirst().equals(name));
    }

    /** The framed bytes: u32 LE length, then the tokens. */
    public byte[] encode() {
        ByteArrayOutputStream body = new ByteArrayOutputStream(4096);
        for (List<String> op : ops) {
            for (String t : op) {
                body.writeBytes(t.getBytes(StandardCharsets.UTF_8));
                body.write(0);
            }
        }
        int n = body.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream(n + 4);
        out.write(n & 0xff);
        out.write((n >>> 8) & 0xff);
        out.write((n >>> 16) & 0xff);
        out.write((n >>> 24) & 0xff);
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }
}
