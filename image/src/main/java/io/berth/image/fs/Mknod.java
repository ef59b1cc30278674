package io.berth.image.fs;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/** mknod(2) for character and block devices and fifos, which Java's file API cannot make. */
public final class Mknod {
    public static final int S_IFIFO = 0010000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;

    private Mknod() {}

    private static final class Handles {
        static final MethodHandle MKNOD = Libc.handle("mknod", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    }

    /** The Linux dev_t encoding of major/minor (glibc's makedev). */
    public static long makedev(long major, long minor) {
        return ((major & 0xfffL) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xffL) | ((minor & ~0xffL) << 12);
    }

    public static long major(long dev) {
        return ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & ~0xfffL);
    }

    public static long minor(long dev) {
        return (dev & 0xffL) | ((dev >>> 12) & ~0xffL);
    }

    /** Makes a node of {@code type} (S_IFIFO, S_IFCHR, S_IFBLK) with permission bits {@code perm}. */
    public static void mknod(Path p, int type, int perm, long major, long minor) {
        Libc.call("mknod " + p, (arena, state) -> Libc.check((int) Handles.MKNOD.invokeExact(state,
                arena.allocateFrom(p.toString()), type | (perm & 07777), makedev(major, minor)), "mknod", p, state));
    }
}
