package io.berth.runtime.seccomp;

import io.berth.runtime.RuntimeError;
import io.berth.spec.runtime.Seccomp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * config-linux.md "Seccomp": compiles a profile to the classic BPF program seccomp(2) installs, with the
 * semantics runc 1.1 gets from libseccomp 2.5:
 * <ul>
 * <li>The filter checks seccomp_data.arch: x86_64 is always in it (libseccomp's native architecture), x86
 * and x32 when listed; any other architecture value gets libseccomp's bad-arch action, KILL_THREAD. On
 * AUDIT_ARCH_X86_64 without x32, a number with the x32 bit gets it too (except -1, the tracer's skip).</li>
 * <li>A rule whose action equals the default action is skipped (runc does); a name this architecture
 * has no number for is skipped (runc ignores unknown syscalls); several conditions in one rule are ANDed,
 * unless two name the same argument: then each condition is its own rule (runc's compatibility behaviour).
 * For one syscall, an unconditional rule wins; otherwise the conditional rules are tried in profile
 * order and the first that matches gives the action. On x86, a rule for a socket or SysV IPC call also
 * matches its socketcall(2)/ipc(2) form, as libseccomp adds it.</li>
 * <li>Conditions compare 64-bit arguments as two 32-bit halves (unsigned); on x86 and x32 only the low
 * half, as libseccomp does for 32-bit architectures. MASKED_EQ: (arg &amp; value) == (valueTwo &amp; value).</li>
 * <li>runc's -ENOSYS stub: unless the default action is ALLOW, LOG or TRACE, a syscall numbered above
 * the highest one the profile names (per listed architecture) fails with ENOSYS, so programs can fall
 * back from syscalls newer than the profile.</li>
 * </ul>
 * The syscall dispatch is a binary search over ranges of syscall numbers with the same outcome, so the
 * Docker default profile (three architectures) takes a few hundred instructions, not thousands.
 */
public final class SeccompCompiler {
    private SeccompCompiler() {}

    /** seccomp(2) return values (linux/seccomp.h). */
    static final int RET_KILL_PROCESS = 0x80000000, RET_KILL_THREAD = 0, RET_TRAP = 0x00030000,
            RET_ERRNO = 0x00050000, RET_USER_NOTIF = 0x7fc00000, RET_TRACE = 0x7ff00000, RET_LOG = 0x7ffc0000,
            RET_ALLOW = 0x7fff0000;
    static final int EPERM = 1, ENOSYS = 38;

    /** x86's multiplexers and the call numbers (their argument 0) of the syscalls they carry; ipc + 100. */
    static final int X86_SOCKETCALL = 102, X86_IPC = 117;
    static final Map<String, Integer> MULTIPLEXED = Map.ofEntries(Map.entry("socket", 1), Map.entry("bind", 2),
            Map.entry("connect", 3), Map.entry("listen", 4), Map.entry("accept", 5), Map.entry("getsockname", 6),
            Map.entry("getpeername", 7), Map.entry("socketpair", 8), Map.entry("send", 9), Map.entry("recv", 10),
            Map.entry("sendto", 11), Map.entry("recvfrom", 12), Map.entry("shutdown", 13), Map.entry("setsockopt", 14),
            Map.entry("getsockopt", 15), Map.entry("sendmsg", 16), Map.entry("recvmsg", 17), Map.entry("accept4", 18),
            Map.entry("recvmmsg", 19), Map.entry("sendmmsg", 20), Map.entry("semop", 101), Map.entry("semget", 102),
            Map.entry("semctl", 103), Map.entry("semtimedop", 104), Map.entry("msgsnd", 111), Map.entry("msgrcv", 112),
            Map.entry("msgget", 113), Map.entry("msgctl", 114), Map.entry("shmat", 121), Map.entry("shmdt", 122),
            Map.entry("shmget", 123), Map.entry("shmctl", 124));

    /** seccomp_data offsets. */
    static final int OFF_NR = 0, OFF_ARCH = 4, OFF_ARGS = 16;

    /** config-linux.md "flags" this compiler passes to seccomp(2), with their bits. */
    public static final Map<String, Integer> FLAGS = Map.of("SECCOMP_FILTER_FLAG_TSYNC", 1,
            "SECCOMP_FILTER_FLAG_LOG", 2, "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4);

    /** Actions and the name the kernel gives each in /proc/sys/kernel/seccomp/actions_avail. */
    static final Map<String, String> KERNEL_ACTION = Map.of("SCMP_ACT_KILL", "kill_thread",
            "SCMP_ACT_KILL_THREAD", "kill_thread", "SCMP_ACT_KILL_PROCESS", "kill_process", "SCMP_ACT_TRAP", "trap",
            "SCMP_ACT_ERRNO", "errno", "SCMP_ACT_TRACE", "trace", "SCMP_ACT_ALLOW", "allow", "SCMP_ACT_LOG", "log",
            "SCMP_ACT_NOTIFY", "user_notif");

    public static final List<String> OPERATORS = List.of("SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
            "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE");

    /** The compiled filter: seccomp(2) flags and the program. */
    public record Filter(int flags, List<Bpf.Insn> program) {
        public Filter {
            program = List.copyOf(program);
        }

        public String hex() {
            return Bpf.hex(program);
        }
    }

    /** The actions this kernel and this compiler support (SCMP_ACT_NOTIFY is not: no seccomp agent). */
    public static List<String> supportedActions() {
        Set<String> kernel = kernelActions();
        return KERNEL_ACTION.entrySet().stream().filter(e -> !e.getKey().equals("SCMP_ACT_NOTIFY"))
                .filter(e -> kernel.contains(e.getValue())).map(Map.Entry::getKey).sorted().toList();
    }

    static Set<String> kernelActions() {
        try {
            return Set.of(Files.readString(Path.of("/proc/sys/kernel/seccomp/actions_avail")).trim().split(" "));
        } catch (IOException e) {
            // before Linux 4.14: the actions older kernels all have
            return Set.of("kill_thread", "trap", "errno", "trace", "allow");
        }
    }

    public static Filter compile(Seccomp profile) {
        return compile(profile, kernelActions());
    }

    static Filter compile(Seccomp p, Set<String> kernelActions) {
        String at = "linux.seccomp";
        int defaultAction = action(p.defaultAction(), p.defaultErrnoRet(), at + ".defaultAction", kernelActions);
        int flags = flags(p.flags(), at);
        // The filter's architectures: libseccomp always includes the native one.
        EnumSet<Arch> inFilter = EnumSet.of(Arch.X86_64);
        EnumSet<Arch> listed = EnumSet.noneOf(Arch.class);
        for (int i = 0; i < p.architectures().size(); i++) {
            String a = p.architectures().get(i);
            Optional<Arch> arch = Arch.byName(a);
            if (arch.isPresent()) {
                inFilter.add(arch.get());
                listed.add(arch.get());
            } else if (!Arch.FOREIGN.contains(a)) {
                throw new RuntimeError(at + ".architectures[" + i + "]: unknown architecture \"" + a + "\"");
            }
        }

        // Rules per architecture and syscall number (slot: the number without the x32 bit), in profile order.
        List<Rule>[][] rules = slots(inFilter);
        long[] highest = {-1, -1, -1};
        boolean x86 = inFilter.contains(Arch.X86), x32 = inFilter.contains(Arch.X32);
        boolean[] isListed = new boolean[3];
        for (Arch a : listed) {
            isListed[a.ordinal()] = true;
        }
        for (int i = 0; i < p.syscalls().size(); i++) {
            Seccomp.Rule r = p.syscalls().get(i);
            String path = at + ".syscalls[" + i + "]";
            if (r.names().isEmpty()) {
                throw new RuntimeError(path + ".names: MUST contain at least one entry");
            }
            for (int j = 0; j < r.names().size(); j++) {
                if (r.names().get(j).isEmpty()) {
                    throw new RuntimeError(path + ".names[" + j + "]: an empty string is not a syscall name");
                }
            }
            int act = action(r.action(), r.errnoRet(), path + ".action", kernelActions);
            List<Cond> conds = new ArrayList<>();
            int[] perIndex = new int[6];
            for (int j = 0; j < r.args().size(); j++) {
                Seccomp.Arg arg = r.args().get(j);
                if (arg.index() < 0 || arg.index() > 5) {
                    throw new RuntimeError(path + ".args[" + j + "].index: " + arg.index() + " is not 0-5");
                }
                Op op = Op.of(arg.op());
                if (op == null) {
                    throw new RuntimeError(path + ".args[" + j + "].op: unknown operator \"" + arg.op() + "\"");
                }
                conds.add(new Cond(arg.index(), op, arg.value(), arg.valueTwo()));
                perIndex[arg.index()]++;
            }
            boolean skip = act == defaultAction; // runc: "This rule is redundant, silently skip it"
            boolean sameIndexTwice = false;
            for (int count : perIndex) {
                sameIndexTwice |= count > 1;
            }
            List<List<Cond>> alternatives = new ArrayList<>();
            if (sameIndexTwice) {
                for (Cond c : conds) {
                    alternatives.add(List.of(c));
                }
            } else {
                alternatives.add(conds);
            }
            for (String name : r.names()) {
                for (Arch a : inFilter) {
                    Integer nr = a.numbers().get(name);
                    if (nr != null && isListed[a.ordinal()]) {
                        highest[a.ordinal()] = Math.max(highest[a.ordinal()], Integer.toUnsignedLong(nr));
                    }
                    if (skip) {
                        continue;
                    }
                    if (nr != null) {
                        for (List<Cond> alt : alternatives) {
                            add(rules[a.ordinal()], nr, new Rule(alt, act));
                        }
                    }
                    Integer call = a == Arch.X86 ? MULTIPLEXED.get(name) : null;
                    if (call != null) {
                        // libseccomp also adds the socketcall(2)/ipc(2) form on x86: the call number replaces
                        // any condition on argument 0, the other conditions stay as they are
                        int mux = call < 100 ? X86_SOCKETCALL : X86_IPC;
                        for (List<Cond> alt : alternatives) {
                            List<Cond> muxed = new ArrayList<>();
                            muxed.add(new Cond(0, Op.EQ, call % 100, 0));
                            for (Cond c : alt) {
                                if (c.index() != 0) {
                                    muxed.add(c);
                                }
                            }
                            add(rules[a.ordinal()], mux, new Rule(muxed, act));
                        }
                    }
                }
            }
        }
        String d = p.defaultAction();
        boolean stub = !(d.equals("SCMP_ACT_ALLOW") || d.equals("SCMP_ACT_LOG") || d.equals("SCMP_ACT_TRACE"));

        Bpf.Assembler asm = new Bpf.Assembler();
        int badArch = asm.ret(RET_KILL_THREAD);
        int def = asm.ret(defaultAction);
        int enosys = stub ? asm.ret(RET_ERRNO | ENOSYS) : def;

        // AUDIT_ARCH_I386
        int i386 = -1;
        int i86 = Arch.X86.ordinal(), i64 = Arch.X86_64.ordinal(), ix32 = Arch.X32.ordinal();
        if (x86) {
            Ranges r = new Ranges(def);
            leaves(asm, Arch.X86, rules[i86], def, r);
            if (stub && highest[i86] > 0) { // runc: no stub for an architecture without syscalls
                r.set(highest[i86] + 1, 1L << 32, enosys);
            }
            i386 = asm.load(OFF_NR, r.search(asm));
        }
        // AUDIT_ARCH_X86_64: x86_64 numbers below 2^30, x32 numbers above
        Ranges r = new Ranges(def);
        if (!x32) {
            r.set(Arch.X32_SYSCALL_BIT, 0xffffffffL, badArch);
        }
        leaves(asm, Arch.X86_64, rules[i64], def, r);
        if (x32) {
            leaves(asm, Arch.X32, rules[ix32], def, r);
        }
        // runc's stub tests bit 30 (jset) where libseccomp uses jge 2^30: ranges by bit 30.
        if (stub && highest[i64] > 0) {
            r.set(highest[i64] + 1, 0x40000000L, enosys);
            r.set(0x80000000L, 0xC0000000L, enosys);
        }
        if (stub && highest[ix32] > 0) {
            r.set(highest[ix32] + 1, 0x80000000L, enosys);
            r.set(0xC0000000L, 1L << 32, enosys);
        }
        int x86_64 = asm.load(OFF_NR, r.search(asm));

        int next = badArch;
        if (i386 >= 0) {
            next = asm.jump(Bpf.JEQ, Arch.AUDIT_ARCH_I386, i386, next);
        }
        next = asm.jump(Bpf.JEQ, Arch.AUDIT_ARCH_X86_64, x86_64, next);
        int entry = asm.load(OFF_ARCH, next);
        List<Bpf.Insn> program = asm.program(entry);
        if (program.size() > Bpf.MAX_INSNS) {
            throw new RuntimeError(at + ": the profile compiles to " + program.size()
                    + " BPF instructions, more than the kernel's limit of " + Bpf.MAX_INSNS);
        }
        return new Filter(flags, program);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<Rule>[][] slots(EnumSet<Arch> arches) {
        List<Rule>[][] rules = new List[Arch.values().length][];
        for (Arch a : arches) {
            rules[a.ordinal()] = new List[Arch.SLOTS];
        }
        return rules;
    }

    private static void add(List<Rule>[] rules, int nr, Rule r) {
        int slot = nr & ~Arch.X32_SYSCALL_BIT;
        if (rules[slot] == null) {
            rules[slot] = new ArrayList<>(2);
        }
        rules[slot].add(r);
    }

    /** config-linux.md "flags" as seccomp(2) flag bits. */
    static int flags(List<String> names, String at) {
        int flags = 0;
        for (int i = 0; i < names.size(); i++) {
            String f = names.get(i);
            Integer bit = FLAGS.get(f);
            if (bit == null) {
                throw new RuntimeError(at + ".flags[" + i + "]: " + (f.equals("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")
                        ? f + " only applies to SCMP_ACT_NOTIFY, which berth-runtime does not support"
                        : "unknown seccomp flag \"" + f + "\" (supported: " + String.join(", ",
                                new java.util.TreeSet<>(FLAGS.keySet())) + ")"));
            }
            flags |= bit;
        }
        return flags;
    }

    /** The seccomp return value for an action (runc's getAction; errnoRet defaults to EPERM). */
    static int action(String name, Optional<Long> errnoRet, String path, Set<String> kernelActions) {
        String kernel = KERNEL_ACTION.get(name);
        if (kernel == null) {
            throw new RuntimeError(path + ": unknown seccomp action \"" + name + "\"");
        }
        if (name.equals("SCMP_ACT_NOTIFY")) {
            throw new RuntimeError(path + ": SCMP_ACT_NOTIFY (a seccomp agent reached through "
                    + "linux.seccomp.listenerPath) is not supported by berth-runtime");
        }
        if (!kernelActions.contains(kernel)) {
            throw new RuntimeError(path + ": " + name + " is not supported by this kernel "
                    + "(/proc/sys/kernel/seccomp/actions_avail has no \"" + kernel + "\")");
        }
        boolean takesErrno = name.equals("SCMP_ACT_ERRNO") || name.equals("SCMP_ACT_TRACE");
        if (errnoRet.isPresent() && !takesErrno) {
            // config-linux.md: "When the action doesn't support an errno, the runtime MUST print and error and fail."
            throw new RuntimeError(path.replace(".defaultAction", ".defaultErrnoRet").replace(".action", ".errnoRet")
                    + ": " + name + " takes no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)");
        }
        int data = (int) (errnoRet.orElse((long) EPERM) & 0xffff);
        return switch (name) {
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> RET_KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> RET_KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> RET_TRAP;
            case "SCMP_ACT_ERRNO" -> RET_ERRNO | data;
            case "SCMP_ACT_TRACE" -> RET_TRACE | data;
            case "SCMP_ACT_LOG" -> RET_LOG;
            default -> RET_ALLOW;
        };
    }

    /** Emits each syscall's code and records where its number leads. */
    private static void leaves(Bpf.Assembler asm, Arch arch, List<Rule>[] bySlot, int def, Ranges ranges) {
        long base = arch == Arch.X32 ? Arch.X32_SYSCALL_BIT : 0;
        for (int slot = 0; slot < bySlot.length; slot++) {
            List<Rule> rs = bySlot[slot];
            if (rs == null) {
                continue;
            }
            Rule always = null;
            for (Rule x : rs) {
                if (x.conds().isEmpty()) {
                    always = x;
                    break;
                }
            }
            int label;
            if (always != null) {
                label = asm.ret(always.action());
            } else {
                label = def;
                for (int i = rs.size() - 1; i >= 0; i--) {
                    Rule rule = rs.get(i);
                    int onTrue = asm.ret(rule.action());
                    for (int c = rule.conds().size() - 1; c >= 0; c--) {
                        onTrue = cond(asm, arch, rule.conds().get(c), onTrue, label);
                    }
                    label = onTrue;
                }
            }
            ranges.point(base + slot, label);
        }
    }

    /** One argument condition: to t if it holds, else to f. */
    private static int cond(Bpf.Assembler asm, Arch arch, Cond c, int t, int f) {
        int lo = OFF_ARGS + 8 * c.index(), hi = lo + 4; // little-endian halves
        long v = c.value();
        int vLo = (int) v, vHi = (int) (v >>> 32);
        if (c.op() == Op.MASKED_EQ) {
            long datum = c.valueTwo() & v;
            int low = masked(asm, lo, vLo, (int) datum, t, f);
            return arch.args64() ? masked(asm, hi, vHi, (int) (datum >>> 32), low, f) : low;
        }
        // NE, LT, LE are EQ, GE, GT with the outcomes swapped.
        int yes = c.op().negated ? f : t, no = c.op().negated ? t : f;
        int base = switch (c.op()) {
            case EQ, NE -> Bpf.JEQ;
            case GE, LT -> Bpf.JGE;
            default -> Bpf.JGT;
        };
        int low = asm.load(lo, asm.jump(base, vLo, yes, no));
        if (!arch.args64()) {
            return low;
        }
        if (base == Bpf.JEQ) {
            return asm.load(hi, asm.jump(Bpf.JEQ, vHi, low, no));
        }
        // high half greater: decided; equal: the low half decides; less: decided
        int eq = asm.jump(Bpf.JEQ, vHi, low, no);
        return asm.load(hi, asm.jump(Bpf.JGT, vHi, yes, eq));
    }

    private static int masked(Bpf.Assembler asm, int offset, int mask, int datum, int t, int f) {
        if (mask == 0) {
            return t; // 0 == 0
        }
        int cmp = asm.jump(Bpf.JEQ, datum, t, f);
        return asm.load(offset, mask == -1 ? cmp : asm.and(mask, cmp));
    }

    enum Op {
        EQ(false), NE(true), GE(false), LT(true), GT(false), LE(true), MASKED_EQ(false);

        final boolean negated;

        Op(boolean negated) {
            this.negated = negated;
        }

        /** The operator for its libseccomp name, or null. */
        static Op of(String scmp) {
            for (Op o : values()) {
                if (scmp.length() == 9 + o.name().length() && scmp.startsWith("SCMP_CMP_") && scmp.endsWith(o.name())) {
                    return o;
                }
            }
            return null;
        }
    }

    record Cond(int index, Op op, long value, long valueTwo) {}

    record Rule(List<Cond> conds, int action) {}
}
