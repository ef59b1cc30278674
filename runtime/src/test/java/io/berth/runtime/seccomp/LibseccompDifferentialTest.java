package io.berth.runtime.seccomp;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.runtime.seccomp.BpfInterpreter.Data;
import io.berth.spec.runtime.Seccomp;
import io.berth.spec.runtime.Seccomp.Arg;
import io.berth.spec.runtime.Seccomp.Rule;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Differential test against the real libseccomp 2.5.4 (Debian's libseccomp2, the library runc 1.1.5 links):
 * the profile is fed to libseccomp the way runc's InitSeccomp does (seccomp_init, seccomp_arch_add,
 * seccomp_rule_add_array per name, rules equal to the default skipped, same-index conditions split), its
 * program exported with seccomp_export_bpf, and both programs run in {@link BpfInterpreter} over many
 * seccomp_data values. runc's -ENOSYS stub (Go code, not libseccomp) comes from {@link ReferenceSemantics}.
 */
@SuppressWarnings("restricted")
class LibseccompDifferentialTest {
    static final Path LIB = Path.of("/usr/lib/x86_64-linux-gnu/libseccomp.so.2");
    /** libseccomp's arch tokens: x86 and x86_64 are their AUDIT_ARCH values, x32 is EM_X86_64|__AUDIT_ARCH_LE. */
    static final int SCMP_ARCH_X86 = 0x40000003, SCMP_ARCH_X86_64 = 0xC000003E, SCMP_ARCH_X32 = 0x4000003E;


    private static final Linker LINKER = Linker.nativeLinker();
    private static final Arena ARENA = Arena.ofAuto();
    private static final SymbolLookup SECCOMP = SymbolLookup.libraryLookup(LIB, ARENA);
    private static final MethodHandle INIT = fn("seccomp_init", FunctionDescriptor.of(ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT));
    private static final MethodHandle ARCH_ADD = fn("seccomp_arch_add", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle RESOLVE = fn("seccomp_syscall_resolve_name", FunctionDescriptor.of(
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle RULE_ADD = fn("seccomp_rule_add_array", FunctionDescriptor.of(
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle EXPORT = fn("seccomp_export_bpf", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle RELEASE = fn("seccomp_release", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    private static final MethodHandle MEMFD = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("memfd_create"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("close"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(SECCOMP.findOrThrow(name), d);
    }

    /** The program libseccomp generates for the profile, as runc 1.1.5 builds it (without the stub). */
    static List<Bpf.Insn> libseccomp(Seccomp s) throws Throwable {
        Set<String> all = SeccompCompilerTest.ALL;
        int def = SeccompCompiler.action(s.defaultAction(), s.defaultErrnoRet(), "x", all);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ctx = (MemorySegment) INIT.invokeExact(def);
            assertThat(ctx.address()).isNotZero();
            try {
                for (String arch : s.architectures()) {
                    int token = switch (arch) {
                        case "SCMP_ARCH_X86" -> SCMP_ARCH_X86;
                        case "SCMP_ARCH_X32" -> SCMP_ARCH_X32;
                        default -> SCMP_ARCH_X86_64;
                    };
                    int rc = (int) ARCH_ADD.invokeExact(ctx, token);
                    assertThat(rc == 0 || rc == -17).as("seccomp_arch_add " + arch + ": " + rc).isTrue(); // EEXIST
                }
                for (Rule r : s.syscalls()) {
                    int act = SeccompCompiler.action(r.action(), r.errnoRet(), "x", all);
                    if (act == def) {
                        continue;
                    }
                    boolean split = r.args().stream().map(Arg::index).distinct().count() < r.args().size();
                    List<List<Arg>> alternatives = split ? r.args().stream().map(List::of).toList() : List.of(r.args());
                    for (String name : r.names()) {
                        int nr = (int) RESOLVE.invokeExact(a.allocateFrom(name));
                        if (nr == -1) {
                            continue; // __NR_SCMP_ERROR: unknown to libseccomp, runc skips it
                        }
                        for (List<Arg> alt : alternatives) {
                            MemorySegment cmp = a.allocate(24L * Math.max(1, alt.size()), 8);
                            for (int i = 0; i < alt.size(); i++) {
                                Arg c = alt.get(i);
                                cmp.set(ValueLayout.JAVA_INT, 24L * i, c.index());
                                cmp.set(ValueLayout.JAVA_INT, 24L * i + 4, op(c.op()));
                                cmp.set(ValueLayout.JAVA_LONG, 24L * i + 8, c.value());
                                cmp.set(ValueLayout.JAVA_LONG, 24L * i + 16, c.valueTwo());
                            }
                            MemorySegment array = alt.isEmpty() ? MemorySegment.NULL : cmp;
                            int rc = (int) RULE_ADD.invokeExact(ctx, act, nr, alt.size(), array);
                            assertThat(rc).as("seccomp_rule_add_array " + name + " " + alt).isZero();
                        }
                    }
                }
                int fd = (int) MEMFD.invokeExact(a.allocateFrom("bpf"), 0);
                try {
                    int rc = (int) EXPORT.invokeExact(ctx, fd);
                    assertThat(rc).as("seccomp_export_bpf").isZero();
                    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Path.of("/proc/self/fd/" + fd)))
                            .order(ByteOrder.LITTLE_ENDIAN);
                    List<Bpf.Insn> prog = new ArrayList<>();
                    while (b.remaining() >= 8) {
                        prog.add(new Bpf.Insn(b.getShort() & 0xffff, b.get() & 0xff, b.get() & 0xff, b.getInt()));
                    }
                    return prog;
                } finally {
                    int ignored = (int) CLOSE.invokeExact(fd);
                }
            } finally {
                RELEASE.invokeExact(ctx);
            }
        }
    }

    /** enum scmp_compare. */
    private static int op(String op) {
        return List.of("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
                "SCMP_CMP_MASKED_EQ").indexOf(op) + 1;
    }

    static void assertSameAsLibseccomp(Seccomp s, Random rnd, int samples) throws Throwable {
        List<Bpf.Insn> ours = SeccompCompiler.compile(s, SeccompCompilerTest.ALL).program();
        List<Bpf.Insn> theirs = libseccomp(s);
        List<Integer> interesting = new ArrayList<>();
        for (Rule r : s.syscalls()) {
            for (String n : r.names()) {
                for (Arch a : Arch.values()) {
                    a.number(n).ifPresent(interesting::add);
                }
            }
        }
        int[] audits = {Arch.AUDIT_ARCH_X86_64, Arch.AUDIT_ARCH_I386, 0xC00000B7};
        for (int i = 0; i < samples; i++) {
            int audit = audits[rnd.nextInt(audits.length)];
            int nr = switch (rnd.nextInt(6)) {
                case 0 -> rnd.nextInt();
                case 1 -> -1;
                case 2 -> Arch.X32_SYSCALL_BIT + rnd.nextInt(600);
                case 3 -> rnd.nextInt(470);
                default -> interesting.isEmpty() ? 0 : interesting.get(rnd.nextInt(interesting.size()));
            };
            long[] args = new long[6];
            for (int j = 0; j < 6; j++) {
                args[j] = SeccompCompilerTest.value(rnd);
            }
            if (!s.syscalls().isEmpty() && rnd.nextBoolean()) {
                for (Arg c : s.syscalls().get(rnd.nextInt(s.syscalls().size())).args()) {
                    args[c.index()] = rnd.nextBoolean() ? c.value() + rnd.nextInt(3) - 1
                            : (rnd.nextLong() & ~c.value()) | (c.valueTwo() & c.value());
                }
            }
            Data d = new Data(nr, audit, 0, args);
            int expected = ReferenceSemantics.stub(s, d).orElseGet(() -> BpfInterpreter.run(theirs, d));
            int actual = BpfInterpreter.run(ours, d);
            if (expected != actual) {
                throw new AssertionError("nr 0x" + Integer.toHexString(nr) + " arch 0x" + Integer.toHexString(audit)
                        + " args " + Arrays.toString(Arrays.stream(args).mapToObj(Long::toHexString).toArray())
                        + ": libseccomp (+runc's stub) returns 0x" + Integer.toHexString(expected)
                        + ", ours 0x" + Integer.toHexString(actual) + "\nprofile " + s);
            }
        }
    }

    @Test
    void dockerLikeProfile() throws Throwable {
        Seccomp docker = DockerLikeProfile.seccomp();
        List<Bpf.Insn> theirs = libseccomp(docker);
        System.out.println("docker-like profile: libseccomp " + theirs.size() + " instructions (+ runc's stub), ours "
                + SeccompCompiler.compile(docker, SeccompCompilerTest.ALL).program().size());
        assertSameAsLibseccomp(docker, new Random(1), 30000);
    }

    /**
     * Random profiles. libseccomp merges a syscall's rules into one decision tree, which is not an OR of the
     * rules when they test one argument with different operators (rules "arg1 >= A" and "arg1 < B && arg2
     * == C": for arg1 in both ranges and arg2 != C it returns the default, the first rule notwithstanding),
     * and it orders rules with different actions its own way. So each syscall here gets one action, and
     * two of its rules share an argument only through EQ conditions (as the personality rules of Docker's
     * profile do); within that, both must agree everywhere.
     */
    @Test
    void randomProfiles() throws Throwable {
        Random rnd = new Random(7);
        List<String> actions = List.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
                "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_KILL");
        List<String> ops = List.of("SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_GE",
                "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");
        for (int round = 0; round < 80; round++) {
            List<Rule> rules = new ArrayList<>();
            Set<String> named = new java.util.HashSet<>();
            int n = 1 + rnd.nextInt(round < 40 ? 8 : 60);
            for (int i = 0; i < n; i++) {
                String name;
                do {
                    name = SeccompCompilerTest.randomName(rnd);
                } while (!named.add(name) || name.equals("socketcall") || name.equals("ipc"));
                String action = actions.get(rnd.nextInt(actions.size()));
                Optional<Long> errno = (action.equals("SCMP_ACT_ERRNO") || action.equals("SCMP_ACT_TRACE"))
                        && rnd.nextBoolean() ? Optional.of((long) rnd.nextInt(100)) : Optional.empty();
                int k = 1 + rnd.nextInt(3);
                boolean[] used = new boolean[6];
                for (int j = 0; j < k; j++) {
                    List<Arg> args = new ArrayList<>();
                    int na = j == 0 && rnd.nextInt(4) == 0 ? 0 : 1 + rnd.nextInt(3);
                    boolean[] mine = new boolean[6];
                    for (int x = 0; x < na; x++) {
                        int index = rnd.nextInt(6);
                        String op = ops.get(rnd.nextInt(ops.size()));
                        if (used[index]) {
                            op = "SCMP_CMP_EQ";
                        }
                        if (mine[index] || used[index] && args.stream().anyMatch(c -> c.index() == index)) {
                            continue;
                        }
                        mine[index] = true;
                        args.add(new Arg(index, SeccompCompilerTest.value(rnd), SeccompCompilerTest.value(rnd), op));
                    }
                    for (int x = 0; x < 6; x++) {
                        used[x] |= mine[x];
                    }
                    rules.add(new Rule(List.of(name), action, errno, args));
                }
            }
            List<String> arches = new ArrayList<>(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"));
            arches.removeIf(a -> rnd.nextBoolean());
            Seccomp s = new Seccomp(actions.get(rnd.nextInt(actions.size())), Optional.empty(), arches, List.of(),
                    Optional.empty(), Optional.empty(), rules);
            assertSameAsLibseccomp(s, rnd, 2000);
        }
    }
}
