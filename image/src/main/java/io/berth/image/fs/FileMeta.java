package io.berth.image.fs;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * Setting a path's mode and times without opening it. Java's own setters open the file for
 * attribute access, which blocks forever on a FIFO and cannot reach a symlink itself; chmod(2) and
 * utimensat(2) with AT_SYMLINK_NOFOLLOW do neither.
 */
public final class FileMeta {
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;

    private FileMeta() {}

    private static final class Handles {
        static final MethodHandle CHMOD = Libc.handle("chmod", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        static final MethodHandle UTIMENSAT = Libc.handle("utimensat", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }

    /** chmod(2): permission bits incl. setuid/setgid/sticky. Follows symlinks: never call it on one. */
    public static void chmod(Path p, int mode) {
        Libc.call("chmod " + p, (arena, state) -> Libc.check((int) Handles.CHMOD.invokeExact(state,
                arena.allocateFrom(p.toString()), mode & 07777), "chmod", p, state));
    }

    /** Sets atime and mtime of the path itself (a symlink's own times, not its target's). */
    public static void setTimes(Path p, FileTime mtime) {
        long nanos = mtime.to(java.util.concurrent.TimeUnit.NANOSECONDS);
        long sec = Math.floorDiv(nanos, 1_000_000_000L);
        long nsec = Math.floorMod(nanos, 1_000_000_000L);
        Libc.call("utimensat " + p, (arena, state) -> {
            MemorySegment ts = arena.allocate(ValueLayout.JAVA_LONG, 4);
            ts.setAtIndex(ValueLayout.JAVA_LONG, 0, sec);
            ts.setAtIndex(ValueLayout.JAVA_LONG, 1, nsec);
            ts.setAtIndex(ValueLayout.JAVA_LONG, 2, sec);
            ts.setAtIndex(ValueLayout.JAVA_LONG, 3, nsec);
            return Libc.check((int) Handles.UTIMENSAT.invokeExact(state, AT_FDCWD, arena.allocateFrom(p.toString()), ts,
                    AT_SYMLINK_NOFOLLOW), "utimensat", p, state);
        });
    }
}
