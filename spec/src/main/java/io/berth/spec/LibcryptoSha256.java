package io.berth.spec;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * SHA-256 of layer-sized data through libcrypto (OpenSSL 3, {@code SHA256_Init/Update/Final}), for
 * the commands that run with C1 only: the JDK's SHA-256 is fast only once C2 has compiled its
 * intrinsic (C1 hashes at ~145 MB/s here, C2 and libcrypto at 1.2-1.9 GB/s), and C2 itself cost a
 * pull ~0.2 s of CPU in compilations (docs/benchmarks.md, "Pull without C2").
 *
 * <p>The hash state ({@code SHA256_CTX}, 112 bytes of plain integers) lives in a Java array and the data
 * is read straight from the caller's array: the downcalls are "critical" ones with heap access, so
 * nothing is allocated natively and nothing needs freeing. Each call hashes at most 1 MiB (~1 ms), so
 * the garbage collector never waits longer than that.
 */
final class LibcryptoSha256 extends MessageDigest implements Cloneable {
    /**
     * One downcall handle for the three functions, {@code int f(void *, void *, size_t)} with the
     * function's address as first argument: each distinct handle spins its own stub classes at run
     * time (FFM start-up is most of what libcrypto costs a pull). SHA256_Init and SHA256_Final take
     * fewer arguments; on the C calling conventions of x86-64 and AArch64 unused argument registers
     * are simply ignored by the callee.
     */
    private static final MethodHandle CALL;
    private static final MemorySegment INIT;
    private static final MemorySegment UPDATE;
    private static final MemorySegment FINAL;
    /** Why libcrypto is not used, or null when it is. */
    static final String UNAVAILABLE;

    static {
        MethodHandle call = null;
        MemorySegment init = null;
        MemorySegment update = null;
        MemorySegment fin = null;
        String why = null;
        if (Boolean.getBoolean("berth.sha256.jdk")) {
            why = "-Dberth.sha256.jdk=true";
        } else {
            try {
                SymbolLookup lib = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
                init = find(lib, "SHA256_Init");
                update = find(lib, "SHA256_Update");
                fin = find(lib, "SHA256_Final");
                call = Linker.nativeLinker().downcallHandle(FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), Linker.Option.critical(true));
            } catch (IllegalArgumentException | IllegalCallerException | UnsatisfiedLinkError e) {
                why = "libcrypto.so.3: " + e.getMessage();
                call = null;
            }
        }
        CALL = call;
        INIT = init;
        UPDATE = update;
        FINAL = fin;
        UNAVAILABLE = why;
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no symbol " + name));
    }

    /** SHA256_CTX: h[8], Nl, Nh, data[16], num, md_len: 28 ints; longs keep it 8-byte aligned. */
    private final long[] ctx;
    private final MemorySegment ctxSegment;
    private final byte[] one = new byte[1];

    private LibcryptoSha256(long[] state) {
        super("SHA-256");
        this.ctx = state;
        this.ctxSegment = MemorySegment.ofArray(state);
    }

    /** A copy that goes on from this one's state (the registry keeps running hashes of uploads). */
    @Override
    public Object clone() {
        return new LibcryptoSha256(ctx.clone());
    }

    /** A fresh hasher, or null when libcrypto cannot be used (then the JDK's serves). */
    static MessageDigest create() {
        if (UNAVAILABLE != null) {
            return null;
        }
        LibcryptoSha256 md = new LibcryptoSha256(new long[14]);
        md.engineReset();
        return md;
    }

    @Override
    protected void engineUpdate(byte input) {
        one[0] = input;
        engineUpdate(one, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        java.util.Objects.checkFromIndexSize(offset, len, input.length);
        if (len > 0) {
            update(MemorySegment.ofArray(input).asSlice(offset, len));
        }
    }

    @Override
    protected void engineUpdate(ByteBuffer input) {
        if (input.hasRemaining()) {
            update(MemorySegment.ofBuffer(input));
            input.position(input.limit());
        }
    }

    /** At most this much per downcall: the garbage collector waits while a critical call reads the heap. */
    private static final long MAX_CALL = 1 << 20;

    private void update(MemorySegment data) {
        try {
            for (long off = 0; off < data.byteSize(); off += MAX_CALL) {
                MemorySegment part = data.asSlice(off, Math.min(MAX_CALL, data.byteSize() - off));
                check((int) CALL.invokeExact(UPDATE, ctxSegment, part, part.byteSize()), "SHA256_Update");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("SHA256_Update", t);
        }
    }

    @Override
    protected byte[] engineDigest() {
        byte[] out = new byte[32];
        try {
            check((int) CALL.invokeExact(FINAL, MemorySegment.ofArray(out), ctxSegment, 0L), "SHA256_Final");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("SHA256_Final", t);
        }
        engineReset();
        return out;
    }

    @Override
    protected void engineReset() {
        try {
            check((int) CALL.invokeExact(INIT, ctxSegment, MemorySegment.NULL, 0L), "SHA256_Init");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("SHA256_Init", t);
        }
    }

    @Override
    protected int engineGetDigestLength() {
        return 32;
    }

    private static void check(int rc, String call) {
        if (rc != 1) {
            throw new IllegalStateException("libcrypto " + call + " returned " + rc);
        }
    }
}
