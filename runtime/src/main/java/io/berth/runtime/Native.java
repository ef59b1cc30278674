package io.berth.runtime;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The runtime's few FFM downcalls (each handle costs ~6-20 ms to create, DESIGN.md "Startup cost"), made
 * lazily so commands that do not need them never pay.
 */
@SuppressWarnings("restricted")
final class Native {
    private Native() {}

    private static final class Kill {
        static final MethodHandle KILL;

        static {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            KILL = linker.downcallHandle(libc.find("kill").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                    Linker.Option.captureCallState("errno"));
        }
    }

    private static final class Umount {
        static final MethodHandle UMOUNT2;

        static {
            Linker linker = Linker.nativeLinker();
            UMOUNT2 = linker.downcallHandle(linker.defaultLookup().find("umount2").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                    Linker.Option.captureCallState("errno"));
        }
    }

    private static final int MNT_DETACH = 2;

    /** umount2(path, MNT_DETACH): a lazy unmount of the mount at path and everything on it; 0 or the errno. */
    static int umountDetach(String path) {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            int r = (int) Umount.UMOUNT2.invokeExact(state, arena.allocateFrom(path), MNT_DETACH);
            return r == 0 ? 0 : errno(state);
        } catch (Throwable t) {
            throw new RuntimeError("umount2(" + path + "): " + t, t);
        }
    }

    /** The errno a downcall with captureCallState("errno") left in {@code state}. */
    private static int errno(MemorySegment state) {
        return state.get(ValueLayout.JAVA_INT, Linker.Option.captureStateLayout().byteOffset(
                java.lang.foreign.MemoryLayout.PathElement.groupElement("errno")));
    }

    /** kill(2); returns 0 or the errno. */
    static int kill(long pid, int signal) {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            int r = (int) Kill.KILL.invokeExact(state, (int) pid, signal);
            return r == 0 ? 0 : errno(state);
        } catch (Throwable t) {
            throw new RuntimeError("kill(" + pid + ", " + signal + "): " + t, t);
        }
    }
}
