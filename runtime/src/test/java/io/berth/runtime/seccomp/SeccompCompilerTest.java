package io.berth.runtime.seccomp;

import static io.berth.runtime.seccomp.SeccompCompiler.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.runtime.seccomp.BpfInterpreter.Data;
import io.berth.spec.runtime.Seccomp;
import io.berth.spec.runtime.Seccomp.Arg;
import io.berth.spec.runtime.Seccomp.Rule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The compiler's output, run in {@link BpfInterpreter}. */
class SeccompCompilerTest {
    static final Set<String> ALL = Set.of("kill_process", "kill_thread", "trap", "errno", "user_notif", "trace", "log",
            "allow");
    static final int ALLOW = RET_ALLOW, KILL = RET_KILL_THREAD;
    static final int X64_MKDIR = 83, X64_READ = 0, X64_KILL = 62, X64_PERSONALITY = 135;

    static Seccomp profile(String def, List<String> arches, Rule... rules) {
        return new Seccomp(def, Optional.empty(), arches, List.of(), Optional.empty(), Optional.empty(), List.of(rules));
    }

    static Rule rule(String action, String... names) {
        return new Rule(List.of(names), action, Optional.empty(), List.of());
    }

    static Rule rule(String action, List<Arg> args, String... names) {
        return new Rule(List.of(names), action, Optional.empty(), args);
    }

    static List<Bpf.Insn> compile(Seccomp s) {
        return SeccompCompiler.compile(s, ALL).program();
    }

    static int run(List<Bpf.Insn> p, Arch arch, int nr, long... args) {
        return BpfInterpreter.run(p, Data.of(arch, nr, args));
    }

    static int errno(int e) {
        return RET_ERRNO | e;
    }

    @Test
    void allowByDefaultDenyMkdir() {
        List<Bpf.Insn> p = compile(profile("SCMP_ACT_ALLOW", List.of(), rule("SCMP_ACT_ERRNO", "mkdir", "mkdirat")));
        assertThat(run(p, Arch.X86_64, X64_MKDIR)).isEqualTo(errno(1));
        assertThat(run(p, Arch.X86_64, 258)).as("mkdirat").isEqualTo(errno(1));
        assertThat(run(p, Arch.X86_64, X64_READ)).isEqualTo(ALLOW);
        assertThat(run(p, Arch.X86_64, 84)).as("rmdir").isEqualTo(ALLOW);
        assertThat(p.size()).isLessThan(20);
    }

    @Test
    void architectureCheck() {
        // only x86_64 (libseccomp's native arch): everything else gets the bad-arch action, KILL_THREAD
        List<Bpf.Insn> p = compile(profile("SCMP_ACT_ALLOW", List.of("SCMP_ARCH_X86_64"),
                rule("SCMP_ACT_ERRNO", "mkdir")));
        assertThat(run(p, Arch.X86, 39)).as("i386 mkdir").isEqualTo(KILL);
        assertThat(BpfInterpreter.run(p, new Data(X64_READ, 0xC00000B7, 0, new long[6]))).as("aarch64").isEqualTo(KILL);
        assertThat(run(p, Arch.X86_64, Arch.X32_SYSCALL_BIT + X64_MKDIR)).as("x32 mkdir").isEqualTo(KILL);
        assertThat(run(p, Arch.X86_64, -1)).as("-1 (a tracer's skip) gets the default").isEqualTo(ALLOW);
        assertThat(run(p, Arch.X86_64, X64_MKDIR)).isEqualTo(errno(1));

        // all three: each in its own numbering
        p = compile(profile("SCMP_ACT_ALLOW", List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
                rule("SCMP_ACT_ERRNO", "mkdir")));
        assertThat(run(p, Arch.X86, 39)).as("i386 mkdir").isEqualTo(errno(1));
        assertThat(run(p, Arch.X86, X64_MKDIR)).as("i386 83 is symlink").isEqualTo(ALLOW);
        assertThat(run(p, Arch.X32, Arch.X32_SYSCALL_BIT + X64_MKDIR)).isEqualTo(errno(1));
        assertThat(run(p, Arch.X32, Arch.X32_SYSCALL_BIT + 2)).isEqualTo(ALLOW);
        assertThat(run(p, Arch.X86_64, X64_MKDIR)).isEqualTo(errno(1));
        assertThat(BpfInterpreter.run(p, new Data(39, 0x40000028, 0, new long[6]))).as("arm").isEqualTo(KILL);

        // x86 only listed: x86_64 is still in the filter (native), x32 numbers are not
        p = compile(profile("SCMP_ACT_ALLOW", List.of("SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"),
                rule("SCMP_ACT_ERRNO", "mkdir")));
        assertThat(run(p, Arch.X86_64, X64_MKDIR)).isEqualTo(errno(1));
        assertThat(run(p, Arch.X86, 39)).isEqualTo(errno(1));
        assertThat(run(p, Arch.X86_64, Arch.X32_SYSCALL_BIT + 5)).isEqualTo(KILL);
    }

    @Test
    void errnoRetAndDefaultErrnoRet() {
        Seccomp s = new Seccomp("SCMP_ACT_ERRNO", Optional.of(13L), List.of(), List.of(), Optional.empty(),
                Optional.empty(), List.of(new Rule(List.of("mkdir"), "SCMP_ACT_ERRNO", Optional.of(28L), List.of()),
                        rule("SCMP_ACT_ALLOW", "read"), rule("SCMP_ACT_ERRNO", "rmdir"),
                        new Rule(List.of("getpid"), "SCMP_ACT_TRACE", Optional.of(7L), List.of()),
                        rule("SCMP_ACT_TRAP", "getppid"), rule("SCMP_ACT_LOG", "gettid"),
                        rule("SCMP_ACT_KILL_PROCESS", "uname"), rule("SCMP_ACT_KILL", "sync")));
        List<Bpf.Insn> p = compile(s);
        assertThat(run(p, Arch.X86_64, X64_MKDIR)).isEqualTo(errno(28));
        assertThat(run(p, Arch.X86_64, 84)).as("rmdir: ERRNO without errnoRet is EPERM").isEqualTo(errno(1));
        assertThat(run(p, Arch.X86_64, 1)).as("write: default").isEqualTo(errno(13));
        assertThat(run(p, Arch.X86_64, X64_READ)).isEqualTo(ALLOW);
        assertThat(run(p, Arch.X86_64, 39)).isEqualTo(RET_TRACE | 7);
        assertThat(run(p, Arch.X86_64, 110)).isEqualTo(RET_TRAP);
        assertThat(run(p, Arch.X86_64, 186)).isEqualTo(RET_LOG);
        assertThat(run(p, Arch.X86_64, 63)).isEqualTo(RET_KILL_PROCESS);
        assertThat(run(p, Arch.X86_64, 162)).isEqualTo(RET_KILL_THREAD);
    }

    @Test
    void sixtyFourBitComparisonsWhoseHighHalvesDiffer() {
        long v = 0x0000_0002_0000_0000L;
        long below = 0x0000_0001_ffff_ffffL, above = 0x0000_0002_0000_0001L, highOnly = 0x0000_0003_0000_0000L;
        for (String op : List.of("SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_GE",
                "SCMP_CMP_GT")) {
            List<Bpf.Insn> p = compile(profile("SCMP_ACT_ALLOW", List.of(),
                    rule("SCMP_ACT_ERRNO", List.of(new Arg(2, v, 0, op)), "kill")));
            for (long arg : new long[] {0, below, v, above, highOnly, 0xffff_ffffL, -1L, v & 0xffff_ffffL}) {
                boolean expect = switch (op) {
                    case "SCMP_CMP_EQ" -> arg == v;
                    case "SCMP_CMP_NE" -> arg != v;
                    case "SCMP_CMP_LT" -> Long.compareUnsigned(arg, v) < 0;
                    case "SCMP_CMP_LE" -> Long.compareUnsigned(arg, v) <= 0;
                    case "SCMP_CMP_GE" -> Long.compareUnsigned(arg, v) >= 0;
                    default -> Long.compareUnsigned(arg, v) > 0;
                };
                assertThat(run(p, Arch.X86_64, X64_KILL, 0, 0, arg)).as(op + " " + Long.toHexString(arg))
                        .isEqualTo(expect ? errno(1) : ALLOW);
            }
        }
    }

    @Test
    void maskedEqualAcrossBothHalves() {
        long mask = 0x0000_00f0_0000_000fL, datum = 0x0000_0050_0000_0003L;
        List<Bpf.Insn> p = compile(profile("SCMP_ACT_ALLOW", List.of(),
                rule("SCMP_ACT_ERRNO", List.of(new Arg(0, mask, datum, "SCMP_CMP_MASKED_EQ")), "personality")));
        assertThat(run(p, Arch.X86_64, X64_PERSONALITY, 0x0000_0050_0000_0003L)).isEqualTo(errno(1));
        assertThat(run(p, Arch.X86_64, X64_PERSONALITY, 0xffff_ff5f_ffff_fff3L)).isEqualTo(errno(1));
        assertThat(run(p, Arch.X86_64, X64_PERSONALITY, 0x0000_0040_0000_0003L)).as("high half differs")
                .isEqualTo(ALLOW);
        assertThat(run(p, Arch.X86_64, X64_PERSONALITY, 0x0000_0050_0000_0002L)).as("low half differs")
                .isEqualTo(ALLOW);
    }

    @Test
    void thirtyTwoBitArchitecturesCompareTheLowHalfOnly() {
        List<Bpf.Insn> p = compile(profile("SCMP_ACT_ALLOW", List.of("SCMP_ARCH_X86"),
                rule("SCMP_ACT_ERRNO", List.of(new Arg(1, 0x1_0000_000fL, 0, "SCMP_CMP_EQ")), "kill")));
        assertThat(run(p, Arch.X86, 37, 1, 15)).as("i386 kill(1, 15)").isEqualTo(errno(1));
        assertThat(run(p, Arch.X86_64, X64_KILL, 1, 15)).as("x86_64 compares all 64 bits").isEqualTo(ALLOW);
        assertThat(run(p, Arch.X86_64, X64_KILL, 1, 0x1_0000_000fL)).isEqualTo(errno(1));
    }

    @Test
    void conditionsAndedRulesOred() {
        List<Bpf.Insn> p = compile(profile("SCMP_ACT_ALLOW", List.of(),
                rule("SCMP_ACT_ERRNO", List.of(new Arg(0, 1, 0, "SCMP_CMP_EQ"), new Arg(1, 9, 0, "SCMP_CMP_EQ")),
                        "kill"),
                new Rule(List.of("kill"), "SCMP_ACT_ERRNO", Optional.of(3L), List.of(new Arg(1, 15, 0,
                        "SCMP_CMP_EQ"))),
                // the same argument twice: runc makes each condition its own rule (OR)
                rule("SCMP_ACT_TRAP", List.of(new Arg(0, 7, 0, "SCMP_CMP_EQ"), new Arg(0, 8, 0, "SCMP_CMP_EQ")),
                        "personality")));
        assertThat(run(p, Arch.X86_64, X64_KILL, 1, 9)).isEqualTo(errno(1));
        assertThat(run(p, Arch.X86_64, X64_KILL, 2, 9)).as("only one of two conditions").isEqualTo(ALLOW);
        assertThat(run(p, Arch.X86_64, X64_KILL, 1, 2)).isEqualTo(ALLOW);
        assertThat(run(p, Arch.X86_64, X64_KILL, 5, 15)).as("second rule").isEqualTo(errno(3));
        assertThat(run(p, Arch.X86_64, X64_KILL, 1, 15)).isEqualTo(errno(3));
        assertThat(run(p, Arch.X86_64, X64_PERSONALITY, 7)).isEqualTo(RET_TRAP);
        assertThat(run(p, Arch.X86_64, X64_PERSONALITY, 8)).isEqualTo(RET_TRAP);
        assertThat(run(p, Arch.X86_64, X64_PERSONALITY, 9)).isEqualTo(ALLOW);
    }

    @Test
    void rulesLikeTheDefaultAreSkippedAndUnconditionalRulesWin() {
        List<Bpf.Insn> p = compile(profile("SCMP_ACT_ERRNO", List.of(),
                rule("SCMP_ACT_ALLOW", List.of(new Arg(0, 0, 0, "SCMP_CMP_EQ")), "personality"),
                rule("SCMP_ACT_ERRNO", "personality"), // same as the default: runc skips it
                rule("SCMP_ACT_ALLOW", List.of(new Arg(0, 0, 0, "SCMP_CMP_EQ")), "kill"),
                rule("SCMP_ACT_ALLOW", "kill")));
        assertThat(run(p, Arch.X86_64, X64_PERSONALITY, 0)).isEqualTo(ALLOW);
        assertThat(run(p, Arch.X86_64, X64_PERSONALITY, 8)).isEqualTo(errno(1));
        assertThat(run(p, Arch.X86_64, X64_KILL, 5, 9)).isEqualTo(ALLOW);
    }

    @Test
    void enosysForSyscallsNewerThanTheProfile() {
        List<Bpf.Insn> p = compile(profile("SCMP_ACT_ERRNO", List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
                "SCMP_ARCH_X32"), rule("SCMP_ACT_ALLOW", "read", "write", "close"), rule("SCMP_ACT_ERRNO", "open")));
        assertThat(run(p, Arch.X86_64, X64_READ)).isEqualTo(ALLOW);
        assertThat(run(p, Arch.X86_64, 2)).as("open: listed (the highest)").isEqualTo(errno(1));
        assertThat(run(p, Arch.X86_64, 3)).as("close").isEqualTo(ALLOW);
        assertThat(run(p, Arch.X86_64, 4)).as("above the highest listed").isEqualTo(errno(ENOSYS));
        assertThat(run(p, Arch.X86_64, 435)).isEqualTo(errno(ENOSYS));
        assertThat(run(p, Arch.X86, 6)).as("i386 close").isEqualTo(ALLOW);
        assertThat(run(p, Arch.X86, 7)).as("i386 waitpid").isEqualTo(errno(ENOSYS));
        assertThat(run(p, Arch.X86, 1)).as("i386 exit: below").isEqualTo(errno(1));
        assertThat(run(p, Arch.X32, Arch.X32_SYSCALL_BIT + 3)).isEqualTo(ALLOW);
        assertThat(run(p, Arch.X32, Arch.X32_SYSCALL_BIT + 600)).isEqualTo(errno(ENOSYS));
        assertThat(run(p, Arch.X32, -1)).isEqualTo(errno(ENOSYS));
        // an allowing default: no stub
        p = compile(profile("SCMP_ACT_ALLOW", List.of("SCMP_ARCH_X86_64"), rule("SCMP_ACT_ERRNO", "open")));
        assertThat(run(p, Arch.X86_64, 435)).isEqualTo(ALLOW);
    }

    @Test
    void unknownSyscallsAreSkippedOtherErrorsNameTheField() {
        List<Bpf.Insn> p = compile(profile("SCMP_ACT_ALLOW", List.of(), rule("SCMP_ACT_ERRNO", "no_such_call", "mkdir")));
        assertThat(run(p, Arch.X86_64, X64_MKDIR)).isEqualTo(errno(1));
        assertThatThrownBy(() -> compile(profile("SCMP_ACT_ALLOW", List.of(), rule("SCMP_ACT_ERRNO", "read", ""))))
                .hasMessageContaining("linux.seccomp.syscalls[0].names[1]");
        assertThatThrownBy(() -> compile(profile("SCMP_ACT_ALLOW", List.of(), new Rule(List.of(), "SCMP_ACT_ERRNO",
                Optional.empty(), List.of())))).hasMessageContaining("linux.seccomp.syscalls[0].names: MUST");
        assertThatThrownBy(() -> compile(profile("SCMP_ACT_ALLOW", List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"))))
                .hasMessageContaining("linux.seccomp.architectures[1]").hasMessageContaining("SCMP_ARCH_VAX");
        assertThatThrownBy(() -> compile(profile("SCMP_ACT_ALLOW", List.of(), rule("SCMP_ACT_ERRNO", "read"),
                rule("SCMP_ACT_NOTIFY", "mkdir")))).hasMessageContaining("linux.seccomp.syscalls[1].action")
                .hasMessageContaining("SCMP_ACT_NOTIFY");
        assertThatThrownBy(() -> compile(profile("SCMP_ACT_NOTIFY", List.of())))
                .hasMessageContaining("linux.seccomp.defaultAction");
        assertThatThrownBy(() -> compile(profile("SCMP_ACT_ALLOW", List.of(),
                new Rule(List.of("read"), "SCMP_ACT_KILL", Optional.of(1L), List.of()))))
                .hasMessageContaining("linux.seccomp.syscalls[0].errnoRet");
        assertThatThrownBy(() -> compile(new Seccomp("SCMP_ACT_ALLOW", Optional.empty(), List.of(),
                List.of("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_NOPE"), Optional.empty(), Optional.empty(),
                List.of()))).hasMessageContaining("linux.seccomp.flags[1]");
        assertThatThrownBy(() -> compile(profile("SCMP_ACT_ALLOW", List.of(), rule("SCMP_ACT_ERRNO",
                List.of(new Arg(0, 0, 0, "SCMP_CMP_ABOUT")), "read")))).hasMessageContaining("syscalls[0].args[0].op");
        assertThatThrownBy(() -> compile(new Seccomp("SCMP_ACT_ALLOW", Optional.of(3L), List.of(), List.of(),
                Optional.empty(), Optional.empty(), List.of()))).hasMessageContaining("linux.seccomp.defaultErrnoRet");
        // 64-bit conditions on every syscall of three architectures: too long for the kernel
        List<Rule> many = new ArrayList<>();
        for (String name : ReferenceSemantics.names(Arch.X86_64)) {
            many.add(rule("SCMP_ACT_ERRNO", List.of(new Arg(0, 1L << 40, 0, "SCMP_CMP_GT"), new Arg(1, 7, 0,
                    "SCMP_CMP_NE")), name));
        }
        assertThatThrownBy(() -> compile(new Seccomp("SCMP_ACT_ALLOW", Optional.empty(), List.of("SCMP_ARCH_X86_64",
                "SCMP_ARCH_X86", "SCMP_ARCH_X32"), List.of(), Optional.empty(), Optional.empty(), many)))
                .hasMessageContaining("more than the kernel's limit of 4096");
        assertThatThrownBy(() -> SeccompCompiler.compile(profile("SCMP_ACT_ALLOW", List.of(),
                rule("SCMP_ACT_LOG", "read")), Set.of("allow", "errno"))).hasMessageContaining("actions_avail");
        assertThat(SeccompCompiler.compile(new Seccomp("SCMP_ACT_ALLOW", Optional.empty(), List.of(),
                List.of("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"),
                Optional.empty(), Optional.empty(), List.of()), ALL).flags()).isEqualTo(7);
    }

    @Test
    void dockerLikeProfileFitsAndBehaves() {
        Seccomp docker = DockerLikeProfile.seccomp();
        List<Bpf.Insn> p = compile(docker);
        System.out.println("docker-like profile: " + docker.syscalls().size() + " rules -> " + p.size()
                + " BPF instructions");
        assertThat(p.size()).isLessThan(Bpf.MAX_INSNS);
        assertThat(run(p, Arch.X86_64, X64_READ)).isEqualTo(ALLOW);
        assertThat(run(p, Arch.X86_64, 165)).as("mount").isEqualTo(errno(1));
        assertThat(run(p, Arch.X86_64, 435, 0)).as("clone3").isEqualTo(errno(ENOSYS));
        assertThat(run(p, Arch.X86_64, X64_PERSONALITY, 8)).isEqualTo(ALLOW);
        assertThat(run(p, Arch.X86_64, X64_PERSONALITY, 9)).isEqualTo(errno(1));
        assertThat(run(p, Arch.X86_64, 56, 0x10000000L)).as("clone(CLONE_NEWUSER)").isEqualTo(errno(1));
        assertThat(run(p, Arch.X86_64, 56, 0x11)).as("clone(SIGCHLD)").isEqualTo(ALLOW);
        assertThat(run(p, Arch.X86, 3)).as("i386 read").isEqualTo(ALLOW);
        int most = 0;
        for (Arch a : Arch.values()) {
            for (int nr : a.numbers().values()) {
                int[] steps = {0};
                BpfInterpreter.run(p, Data.of(a, nr), steps);
                most = Math.max(most, steps[0]);
            }
        }
        System.out.println("docker-like profile: at most " + most + " instructions run per syscall");
        assertThat(most).as("binary search: few instructions per syscall").isLessThan(25);
        // against the reference semantics, everywhere
        assertSameAsReference(docker, p, new Random(5), 20000);
    }

    /** Random profiles, big enough to need long jumps, against a direct evaluation of the profile. */
    @Test
    void randomProfilesMatchTheReferenceSemantics() {
        Random rnd = new Random(42);
        List<String> names = new ArrayList<>(List.of("read", "write", "open", "close", "kill", "personality", "mkdir",
                "clone", "socket", "ioctl", "mmap", "prctl", "futex", "openat", "getpid", "setns", "no_such_call"));
        List<String> actions = List.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
                "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_KILL");
        List<String> ops = List.of("SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_GE",
                "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");
        int longest = 0, trampolines = 0;
        for (int round = 0; round < 60; round++) {
            List<Rule> rules = new ArrayList<>();
            int n = 1 + rnd.nextInt(round < 30 ? 20 : 150);
            for (int i = 0; i < n; i++) {
                List<Arg> args = new ArrayList<>();
                int na = rnd.nextInt(4);
                for (int j = 0; j < na; j++) {
                    args.add(new Arg(rnd.nextInt(6), value(rnd), value(rnd), ops.get(rnd.nextInt(ops.size()))));
                }
                String action = actions.get(rnd.nextInt(actions.size()));
                boolean errno = action.equals("SCMP_ACT_ERRNO") || action.equals("SCMP_ACT_TRACE");
                String name = rnd.nextInt(3) == 0 ? names.get(rnd.nextInt(names.size()))
                        : "x" + rnd.nextInt(300); // replaced below by a real name of some architecture
                if (name.startsWith("x")) {
                    name = randomName(rnd);
                }
                rules.add(new Rule(List.of(name), action, errno && rnd.nextBoolean() ? Optional.of((long) rnd.nextInt(
                        200)) : Optional.empty(), args));
            }
            List<String> arches = new ArrayList<>(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"));
            arches.removeIf(a -> rnd.nextBoolean());
            Seccomp s = new Seccomp(actions.get(rnd.nextInt(actions.size())), Optional.empty(), arches, List.of(),
                    Optional.empty(), Optional.empty(), rules);
            List<Bpf.Insn> p = compile(s);
            longest = Math.max(longest, p.size());
            for (int i = 0; i < p.size(); i++) {
                Bpf.Insn in = p.get(i);
                // ret() shares returns, so a repeated ret is a trampoline for a jump beyond 255
                if (in.code() == Bpf.RET && p.subList(0, i).contains(in)) {
                    trampolines++;
                }
            }
            assertSameAsReference(s, p, rnd, 3000);
        }
        assertThat(longest).as("some programs need long jumps").isGreaterThan(600);
        assertThat(trampolines).as("trampolines were exercised").isGreaterThan(10);
    }

    static String randomName(Random rnd) {
        Arch a = Arch.values()[rnd.nextInt(3)];
        List<String> all = new ArrayList<>(ReferenceSemantics.names(a));
        return all.get(rnd.nextInt(all.size()));
    }

    static long value(Random rnd) {
        return switch (rnd.nextInt(5)) {
            case 0 -> rnd.nextInt(20);
            case 1 -> 0xffff_ffffL;
            case 2 -> rnd.nextLong();
            case 3 -> ((long) rnd.nextInt(3) << 32) | rnd.nextInt(20);
            default -> -1L - rnd.nextInt(3);
        };
    }

    static void assertSameAsReference(Seccomp s, List<Bpf.Insn> p, Random rnd, int samples) {
        int[] audits = {Arch.AUDIT_ARCH_X86_64, Arch.AUDIT_ARCH_I386, 0xC00000B7};
        for (int i = 0; i < samples; i++) {
            int audit = audits[rnd.nextInt(audits.length)];
            int nr = switch (rnd.nextInt(6)) {
                case 0 -> rnd.nextInt();
                case 1 -> -1;
                case 2 -> Arch.X32_SYSCALL_BIT + rnd.nextInt(600);
                default -> rnd.nextInt(470);
            };
            long[] args = new long[6];
            for (int j = 0; j < 6; j++) {
                args[j] = value(rnd);
            }
            // use the rule values themselves sometimes, to hit the boundaries
            if (!s.syscalls().isEmpty() && rnd.nextBoolean()) {
                Rule r = s.syscalls().get(rnd.nextInt(s.syscalls().size()));
                for (Arg a : r.args()) {
                    args[a.index()] = a.value() + rnd.nextInt(3) - 1;
                    if (a.op().equals("SCMP_CMP_MASKED_EQ") && rnd.nextBoolean()) {
                        args[a.index()] = (rnd.nextLong() & ~a.value()) | (a.valueTwo() & a.value());
                    }
                }
                Arch arch = audit == Arch.AUDIT_ARCH_I386 ? Arch.X86 : rnd.nextBoolean() ? Arch.X86_64 : Arch.X32;
                Optional<Integer> num = arch.number(r.names().getFirst());
                if (num.isPresent()) {
                    nr = num.get();
                    audit = arch.audit();
                }
            }
            Data d = new Data(nr, audit, 0, args);
            int expected = ReferenceSemantics.evaluate(s, d);
            int actual = BpfInterpreter.run(p, d);
            if (expected != actual) {
                throw new AssertionError("nr " + Integer.toHexString(nr) + " arch " + Integer.toHexString(audit)
                        + " args " + Arrays.toString(Arrays.stream(args).mapToObj(Long::toHexString).toArray())
                        + ": expected 0x" + Integer.toHexString(expected) + ", the program returned 0x"
                        + Integer.toHexString(actual) + "\nprofile " + s);
            }
        }
    }
}
