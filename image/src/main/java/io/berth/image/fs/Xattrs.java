package io.berth.image.fs;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Extended attributes of a path, never following a final symlink (llistxattr, lgetxattr, lsetxattr).
 * Java's UserDefinedFileAttributeView only reaches {@code user.*} and follows links; layers carry
 * {@code security.capability} and {@code trusted.*} too.
 */
public final class Xattrs {
    private static final int ENODATA = 61;
    private static final int EOPNOTSUPP = 95;
    private static final int ERANGE = 34;

    private Xattrs() {}

    private static final class Handles {
        static final MethodHandle LLISTXATTR = Libc.handle("llistxattr", FunctionDescriptor.of(Libc.SIZE_T,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, Libc.SIZE_T));
        static final MethodHandle LGETXATTR = Libc.handle("lgetxattr", FunctionDescriptor.of(Libc.SIZE_T,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, Libc.SIZE_T));
        static final MethodHandle LSETXATTR = Libc.handle("lsetxattr", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, Libc.SIZE_T, ValueLayout.JAVA_INT));
    }

    /** The names of the path's extended attributes, sorted; empty when the filesystem has none. */
    public static List<String> list(Path p) {
        return Libc.call("llistxattr " + p, (arena, state) -> {
            MemorySegment path = arena.allocateFrom(p.toString());
            for (int attempt = 0; attempt < 4; attempt++) {
                long size = (long) Handles.LLISTXATTR.invokeExact(state, path, MemorySegment.NULL, 0L);
                if (size < 0) {
                    if (Libc.errno(state) == EOPNOTSUPP) {
                        return List.<String>of();
                    }
                    throw new NativeFsException("llistxattr", p.toString(), Libc.errno(state));
                }
                if (size == 0) {
                    return List.<String>of();
                }
                MemorySegment buf = arena.allocate(size);
                long n = (long) Handles.LLISTXATTR.invokeExact(state, path, buf, size);
                if (n < 0 && Libc.errno(state) == ERANGE) {
                    continue; // grew between the two calls
                }
                if (n < 0) {
                    throw new NativeFsException("llistxattr", p.toString(), Libc.errno(state));
                }
                return names(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            }
            throw new NativeFsException("llistxattr", p.toString(), ERANGE);
        });
    }

    /** Splits llistxattr's NUL-separated names, sorted. */
    private static List<String> names(byte[] bytes) {
        List<String> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                if (i > start) {
                    names.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        names.sort(null);
        return names;
    }

    /** One attribute's value, or empty when the path does not have it. */
    public static Optional<byte[]> get(Path p, String name) {
        return Libc.call("lgetxattr " + p, (arena, state) -> {
            MemorySegment path = arena.allocateFrom(p.toString());
            MemorySegment n = arena.allocateFrom(name);
            for (int attempt = 0; attempt < 4; attempt++) {
                long size = (long) Handles.LGETXATTR.invokeExact(state, path, n, MemorySegment.NULL, 0L);
                if (size < 0) {
                    int e = Libc.errno(state);
                    if (e == ENODATA || e == EOPNOTSUPP) {
                        return Optional.<byte[]>empty();
                    }
                    throw new NativeFsException("lgetxattr " + name, p.toString(), e);
                }
                MemorySegment buf = arena.allocate(Math.max(size, 1));
                long got = (long) Handles.LGETXATTR.invokeExact(state, path, n, buf, size);
                if (got < 0 && Libc.errno(state) == ERANGE) {
                    continue;
                }
                if (got < 0) {
                    throw new NativeFsException("lgetxattr " + name, p.toString(), Libc.errno(state));
                }
                return Optional.of(buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE));
            }
            throw new NativeFsException("lgetxattr " + name, p.toString(), ERANGE);
        });
    }

    /** Sets an attribute on the path itself (not a symlink's target). */
    public static void set(Path p, String name, byte[] value) {
        Libc.call("lsetxattr " + p, (arena, state) -> {
            MemorySegment v = arena.allocate(Math.max(value.length, 1));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            return Libc.check((int) Handles.LSETXATTR.invokeExact(state, arena.allocateFrom(p.toString()),
                    arena.allocateFrom(name), v, (long) value.length, 0), "lsetxattr " + name, p, state);
        });
    }
}
