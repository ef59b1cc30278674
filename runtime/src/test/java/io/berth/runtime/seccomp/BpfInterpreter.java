package io.berth.runtime.seccomp;

import java.util.List;

/**
 * A classic BPF interpreter for seccomp programs, written for the tests: it runs a program over a
 * struct seccomp_data and refuses what the kernel's checker refuses (jumps out of the program, loads
 * outside seccomp_data, unaligned loads, a program not ending in ret, more than 4096 instructions).
 */
final class BpfInterpreter {
    private BpfInterpreter() {}

    /** struct seccomp_data: nr, arch, instruction_pointer, args[6]. */
    record Data(int nr, int arch, long ip, long... args) {
        static Data of(Arch arch, int nr, long... args) {
            long[] a = new long[6];
            System.arraycopy(args, 0, a, 0, args.length);
            return new Data(nr, arch.audit(), 0, a);
        }

        int word(int offset) {
            if (offset < 0 || offset > 60 || offset % 4 != 0) {
                throw new IllegalStateException("bad load offset " + offset);
            }
            return switch (offset) {
                case 0 -> nr;
                case 4 -> arch;
                case 8 -> (int) ip;
                case 12 -> (int) (ip >>> 32);
                default -> {
                    long v = args[(offset - 16) / 8];
                    yield (offset % 8 == 0) ? (int) v : (int) (v >>> 32);
                }
            };
        }
    }

    /** The program's return value for data; counts executed instructions in steps[0] if given. */
    static int run(List<Bpf.Insn> prog, Data data, int[] steps) {
        if (prog.isEmpty() || prog.size() > Bpf.MAX_INSNS) {
            throw new IllegalStateException("program length " + prog.size());
        }
        if (prog.getLast().code() != Bpf.RET) {
            throw new IllegalStateException("last instruction is not ret");
        }
        int a = 0, pc = 0;
        while (true) {
            if (pc < 0 || pc >= prog.size()) {
                throw new IllegalStateException("pc out of program: " + pc);
            }
            Bpf.Insn i = prog.get(pc);
            if (steps != null) {
                steps[0]++;
            }
            switch (i.code()) {
                case Bpf.LD_W_ABS -> {
                    a = data.word(i.k());
                    pc++;
                }
                case Bpf.AND -> {
                    a &= i.k();
                    pc++;
                }
                case Bpf.JA -> pc += 1 + i.k();
                case Bpf.JEQ -> pc += 1 + (a == i.k() ? i.jt() : i.jf());
                case Bpf.JGT -> pc += 1 + (Integer.compareUnsigned(a, i.k()) > 0 ? i.jt() : i.jf());
                case Bpf.JGE -> pc += 1 + (Integer.compareUnsigned(a, i.k()) >= 0 ? i.jt() : i.jf());
                case Bpf.JSET -> pc += 1 + ((a & i.k()) != 0 ? i.jt() : i.jf());
                case Bpf.RET -> {
                    return i.k();
                }
                default -> throw new IllegalStateException("unknown opcode 0x" + Integer.toHexString(i.code()));
            }
        }
    }

    static int run(List<Bpf.Insn> prog, Data data) {
        return run(prog, data, null);
    }
}
