package io.berth.image.fs;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls Java's file API lacks (xattrs without following links, mknod), each downcall
 * handle created once, lazily, on first use (DESIGN.md: every handle costs start-up time). errno is
 * captured with the call so that errors name the call, the path and errno.
 */
final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private Libc() {}

    /** A downcall handle; FFM's restricted method, allowed by --enable-native-access in every launcher. */
    @SuppressWarnings("restricted")
    static MethodHandle handle(String name, FunctionDescriptor fd) {
        MemorySegment addr = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(addr, fd, Linker.Option.captureCallState("errno"));
    }

    /** One native call: gets a confined arena and an errno capture segment, both freed after. */
    @FunctionalInterface
    interface Call<T> {
        T run(Arena arena, MemorySegment errnoState) throws Throwable;
    }

    /** Runs a call; anything but an unchecked exception from the downcall machinery is a bug. */
    static <T> T call(String what, Call<T> c) {
        try (Arena arena = Arena.ofConfined()) {
            return c.run(arena, captureState(arena));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(what, t);
        }
    }

    /** Fails with the call, the path and errno when a libc call returned non-zero. */
    static Void check(int rc, String call, java.nio.file.Path p, MemorySegment state) {
        if (rc != 0) {
            throw new NativeFsException(call, p.toString(), errno(state));
        }
        return null;
    }

    static MemorySegment captureState(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static final ValueLayout.OfLong SIZE_T = ValueLayout.JAVA_LONG;

    /** The C name of an errno value for messages (the common ones; otherwise the number). */
    static String errnoName(int e) {
        return switch (e) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 7 -> "E2BIG";
            case 13 -> "EACCES";
            case 17 -> "EEXIST";
            case 20 -> "ENOTDIR";
            case 22 -> "EINVAL";
            case 28 -> "ENOSPC";
            case 34 -> "ERANGE";
            case 61 -> "ENODATA";
            case 95 -> "EOPNOTSUPP";
            default -> "errno " + e;
        };
    }

}
