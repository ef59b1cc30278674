package io.berth.runtime.seccomp;

import static io.berth.runtime.seccomp.SeccompCompiler.*;

import io.berth.runtime.seccomp.BpfInterpreter.Data;
import io.berth.spec.runtime.Seccomp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a profile means for one syscall, evaluated directly from the profile (no BPF): runc 1.1's
 * -ENOSYS stub, then libseccomp's filter. The tests compare compiled programs against it.
 */
final class ReferenceSemantics {
    private ReferenceSemantics() {}

    private static final Map<Arch, Map<Integer, String>> BY_NUMBER = new HashMap<>();

    static Set<String> names(Arch a) {
        return a.numbers().keySet();
    }

    static Optional<String> name(Arch a, int nr) {
        return Optional.ofNullable(BY_NUMBER.computeIfAbsent(a, x -> {
            Map<Integer, String> m = new HashMap<>();
            x.numbers().forEach((k, v) -> m.put(v, k));
            return m;
        }).get(nr));
    }

    static int evaluate(Seccomp s, Data d) {
        Set<String> all = SeccompCompilerTest.ALL;
        int def = action(s.defaultAction(), s.defaultErrnoRet(), "x", all);
        List<Arch> listed = s.architectures().stream().flatMap(a -> Arch.byName(a).stream()).toList();
        boolean x86 = listed.contains(Arch.X86), x32 = listed.contains(Arch.X32);
        long nr = Integer.toUnsignedLong(d.nr());
        boolean bit30 = (nr & (1L << 30)) != 0;

        Optional<Integer> enosys = stub(s, d);
        if (enosys.isPresent()) {
            return enosys.get();
        }
        Arch arch;
        if (d.arch() == Arch.AUDIT_ARCH_I386 && x86) {
            arch = Arch.X86;
        } else if (d.arch() == Arch.AUDIT_ARCH_X86_64) {
            if (x32) {
                arch = nr >= (1L << 30) ? Arch.X32 : Arch.X86_64;
            } else if (nr >= (1L << 30)) {
                return nr == 0xffffffffL ? def : RET_KILL_THREAD;
            } else {
                arch = Arch.X86_64;
            }
        } else {
            return RET_KILL_THREAD;
        }
        // the syscall's rules as (conditions, action), in profile order
        List<List<Seccomp.Arg>> conds = new java.util.ArrayList<>();
        List<Integer> acts = new java.util.ArrayList<>();
        for (Seccomp.Rule r : s.syscalls()) {
            int act = action(r.action(), r.errnoRet(), "x", all);
            if (act == def) {
                continue;
            }
            boolean sameIndexTwice = r.args().stream().map(Seccomp.Arg::index).distinct().count() < r.args().size();
            List<List<Seccomp.Arg>> alternatives = sameIndexTwice ? r.args().stream().map(List::of).toList()
                    : List.of(r.args());
            for (String n : r.names()) {
                if (arch.number(n).equals(Optional.of(d.nr()))) {
                    for (List<Seccomp.Arg> alt : alternatives) {
                        conds.add(alt);
                        acts.add(act);
                    }
                }
                Integer call = MULTIPLEXED.get(n);
                if (arch == Arch.X86 && call != null && d.nr() == (call < 100 ? X86_SOCKETCALL : X86_IPC)) {
                    for (List<Seccomp.Arg> alt : alternatives) {
                        List<Seccomp.Arg> c = new java.util.ArrayList<>();
                        c.add(new Seccomp.Arg(0, call % 100, 0, "SCMP_CMP_EQ"));
                        alt.stream().filter(x -> x.index() != 0).forEach(c::add);
                        conds.add(c);
                        acts.add(act);
                    }
                }
            }
        }
        for (int i = 0; i < conds.size(); i++) {
            if (conds.get(i).isEmpty()) {
                return acts.get(i); // an unconditional rule wins
            }
        }
        for (int i = 0; i < conds.size(); i++) {
            if (conds.get(i).stream().allMatch(a -> holds(arch, a, d))) {
                return acts.get(i);
            }
        }
        return def;
    }

    /** runc's -ENOSYS stub, in front of libseccomp's filter: ENOSYS for numbers above the profile's highest. */
    static Optional<Integer> stub(Seccomp s, Data d) {
        List<Arch> listed = s.architectures().stream().flatMap(a -> Arch.byName(a).stream()).toList();
        long nr = Integer.toUnsignedLong(d.nr());
        boolean bit30 = (nr & (1L << 30)) != 0;
        String dflt = s.defaultAction();
        if (!(dflt.equals("SCMP_ACT_ALLOW") || dflt.equals("SCMP_ACT_LOG") || dflt.equals("SCMP_ACT_TRACE"))) {
            Arch stubArch = d.arch() == Arch.AUDIT_ARCH_I386 ? Arch.X86
                    : d.arch() == Arch.AUDIT_ARCH_X86_64 ? (bit30 ? Arch.X32 : Arch.X86_64) : null;
            if (stubArch != null && listed.contains(stubArch)) {
                long max = -1;
                for (Seccomp.Rule r : s.syscalls()) {
                    for (String n : r.names()) {
                        max = Math.max(max, stubArch.number(n).map(Integer::toUnsignedLong).orElse(-1L));
                    }
                }
                if (max > 0 && nr > max) {
                    return Optional.of(RET_ERRNO | ENOSYS);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean holds(Arch arch, Seccomp.Arg a, Data d) {
        long arg = d.args()[a.index()], v = a.value();
        if (!arch.args64()) {
            arg &= 0xffff_ffffL;
            v &= 0xffff_ffffL;
        }
        int c = Long.compareUnsigned(arg, v);
        return switch (a.op()) {
            case "SCMP_CMP_EQ" -> c == 0;
            case "SCMP_CMP_NE" -> c != 0;
            case "SCMP_CMP_LT" -> c < 0;
            case "SCMP_CMP_LE" -> c <= 0;
            case "SCMP_CMP_GE" -> c >= 0;
            case "SCMP_CMP_GT" -> c > 0;
            default -> (arg & v) == (a.valueTwo() & v);
        };
    }
}
