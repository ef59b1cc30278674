package io.berth.runtime.seccomp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where each syscall number leads: a few wide ranges (the default, bad-arch, -ENOSYS) with single
 * syscall numbers on top, merged into a partition of [0, 2^32) where neighbours differ. Compiles to a
 * binary search: one {@code jge} per boundary.
 */
final class Ranges {
    private static final long END = 1L << 32;
    private final TreeMap<Long, Integer> wide = new TreeMap<>();
    private final List<long[]> points = new ArrayList<>();

    Ranges(int all) {
        wide.put(0L, all);
    }

    /** Numbers in [from, to) lead to target (a later range wins where they overlap). */
    void set(long from, long to, int target) {
        if (from >= to) {
            return;
        }
        int after = wide.floorEntry(to - 1).getValue();
        wide.subMap(from, true, to, false).clear();
        wide.put(from, target);
        if (to < END) {
            wide.putIfAbsent(to, after);
        }
    }

    /** One syscall number leads to target, whatever the wide ranges say. */
    void point(long nr, int target) {
        points.add(new long[] {nr, target});
    }

    int search(Bpf.Assembler asm) {
        points.sort((x, y) -> Long.compare(x[0], y[0]));
        long[] starts = new long[wide.size()];
        int[] targets = new int[wide.size()];
        int w = 0;
        for (Map.Entry<Long, Integer> e : wide.entrySet()) {
            starts[w] = e.getKey();
            targets[w++] = e.getValue();
        }
        List<long[]> merged = new ArrayList<>(points.size() * 2 + starts.length);
        long pos = 0;
        int wi = 0;
        for (long[] p : points) {
            wi = base(merged, starts, targets, wi, pos, p[0]);
            emit(merged, p[0], (int) p[1]);
            pos = p[0] + 1;
        }
        base(merged, starts, targets, wi, pos, END);
        return tree(asm, merged, 0, merged.size() - 1);
    }

    /** Emits the wide ranges over [from, to); returns the index of the range holding from. */
    private static int base(List<long[]> out, long[] starts, int[] targets, int wi, long from, long to) {
        if (from >= to) {
            return wi;
        }
        while (wi + 1 < starts.length && starts[wi + 1] <= from) {
            wi++;
        }
        emit(out, from, targets[wi]);
        for (int k = wi + 1; k < starts.length && starts[k] < to; k++) {
            emit(out, starts[k], targets[k]);
        }
        return wi;
    }

    private static void emit(List<long[]> out, long start, int target) {
        if (out.isEmpty() || out.getLast()[1] != target) {
            out.add(new long[] {start, target});
        }
    }

    private static int tree(Bpf.Assembler asm, List<long[]> rs, int lo, int hi) {
        if (lo == hi) {
            return (int) rs.get(lo)[1];
        }
        int mid = (lo + hi + 1) >>> 1;
        int right = tree(asm, rs, mid, hi);
        int left = tree(asm, rs, lo, mid - 1);
        return asm.jump(Bpf.JGE, (int) rs.get(mid)[0], right, left);
    }
}
