package io.berth.runtime.seccomp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Classic BPF as seccomp uses it (linux/filter.h, linux/bpf_common.h): the instruction record, the few
 * opcodes a filter needs, and an assembler that builds a program backwards, from its last instruction to
 * its first, so every jump target is already placed when the jump is written.
 */
public final class Bpf {
    private Bpf() {}

    /** BPF_LD | BPF_W | BPF_ABS: A = 32-bit word of seccomp_data at k. */
    public static final int LD_W_ABS = 0x20;
    /** BPF_JMP | BPF_JA: pc += k. */
    public static final int JA = 0x05;
    /** BPF_JMP | BPF_JEQ | BPF_K. */
    public static final int JEQ = 0x15;
    /** BPF_JMP | BPF_JGT | BPF_K (unsigned). */
    public static final int JGT = 0x25;
    /** BPF_JMP | BPF_JGE | BPF_K (unsigned). */
    public static final int JGE = 0x35;
    /** BPF_JMP | BPF_JSET | BPF_K: A & k != 0. */
    public static final int JSET = 0x45;
    /** BPF_ALU | BPF_AND | BPF_K: A &= k. */
    public static final int AND = 0x54;
    /** BPF_RET | BPF_K. */
    public static final int RET = 0x06;

    /** The kernel's BPF_MAXINSNS: longer programs are refused with EINVAL. */
    public static final int MAX_INSNS = 4096;

    /** struct sock_filter: u16 code, u8 jt, u8 jf, u32 k. */
    public record Insn(int code, int jt, int jf, int k) {
        public Insn {
            if (jt < 0 || jt > 255 || jf < 0 || jf > 255) {
                throw new IllegalArgumentException("jump offset out of range: " + jt + "/" + jf);
            }
        }

        @Override
        public String toString() {
            return switch (code) {
                case LD_W_ABS -> "ld [" + k + "]";
                case JA -> "ja +" + Integer.toUnsignedString(k);
                case JEQ, JGT, JGE, JSET -> (code == JEQ ? "jeq" : code == JGT ? "jgt" : code == JGE ? "jge" : "jset")
                        + " 0x" + Integer.toHexString(k) + " +" + jt + " +" + jf;
                case AND -> "and 0x" + Integer.toHexString(k);
                case RET -> "ret 0x" + Integer.toHexString(k);
                default -> "op 0x" + Integer.toHexString(code);
            };
        }
    }

    /** The program as the kernel reads it: 8 bytes per instruction in host (little-endian) order, hex. */
    public static String hex(List<Insn> program) {
        StringBuilder b = new StringBuilder(program.size() * 16);
        for (Insn i : program) {
            le(b, i.code(), 2);
            le(b, i.jt(), 1);
            le(b, i.jf(), 1);
            le(b, i.k(), 4);
        }
        return b.toString();
    }

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private static void le(StringBuilder b, int v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            int x = (v >>> (8 * i)) & 0xff;
            b.append(DIGITS[x >>> 4]).append(DIGITS[x & 15]);
        }
    }

    /**
     * Builds a program from its end. A label is an instruction's distance from the end of the program (the
     * first instruction emitted has label 0), so it never changes as more instructions are prepended. A
     * conditional jump reaches at most 255 instructions ahead; a farther target gets a trampoline: a copy of
     * the target if it is a {@code ret}, otherwise a {@code ja} (32-bit offset).
     */
    public static final class Assembler {
        private final List<Insn> rev = new ArrayList<>();
        private final Map<Integer, Integer> rets = new HashMap<>();

        /** Instructions emitted so far. */
        public int size() {
            return rev.size();
        }

        private int add(Insn i) {
            rev.add(i);
            return rev.size() - 1;
        }

        /** Offset from a new instruction (label size()) to target. */
        private int distance(int target) {
            return size() - target - 1;
        }

        /** {@code ret k}, shared with an earlier identical one. */
        public int ret(int k) {
            Integer l = rets.get(k);
            if (l != null) {
                return l;
            }
            int label = add(new Insn(RET, 0, 0, k));
            rets.put(k, label);
            return label;
        }

        /** {@code ld [offset]} followed by next. */
        public int load(int offset, int next) {
            follow(next);
            return add(new Insn(LD_W_ABS, 0, 0, offset));
        }

        /** {@code and k} followed by next. */
        public int and(int k, int next) {
            follow(next);
            return add(new Insn(AND, 0, 0, k));
        }

        /** Makes next the instruction right after the one about to be emitted. */
        private void follow(int next) {
            if (next != size() - 1) {
                add(new Insn(JA, 0, 0, distance(next)));
            }
        }

        /** A conditional jump: to t if the condition holds, else to f. */
        public int jump(int op, int k, int t, int f) {
            if (t == f) {
                return t;
            }
            while (distance(t) > 255 || distance(f) > 255) {
                if (distance(t) > 255) {
                    t = trampoline(t);
                } else {
                    f = trampoline(f);
                }
            }
            return add(new Insn(op, distance(t), distance(f), k));
        }

        private int trampoline(int target) {
            Insn at = rev.get(target);
            if (at.code() == RET) {
                int label = add(at);
                rets.put(at.k(), label);
                return label;
            }
            if (at.code() == JA) {
                target = target - 1 - at.k(); // jump straight to where that ja goes
            }
            return add(new Insn(JA, 0, 0, distance(target)));
        }

        /** The program in execution order; entry must be the last instruction emitted. */
        public List<Insn> program(int entry) {
            if (entry != size() - 1) {
                throw new IllegalStateException("entry " + entry + " is not the first instruction");
            }
            List<Insn> out = new ArrayList<>(rev);
            java.util.Collections.reverse(out);
            return out;
        }
    }
}
