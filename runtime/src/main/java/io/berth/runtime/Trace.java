package io.berth.runtime;

/**
 * Timestamps of the steps of a command on stderr when BERTH_RUNTIME_TRACE is set: where the time of a
 * run goes (docs/benchmarks.md "Runtime"), without a profiler. Milliseconds since the first mark.
 */
public final class Trace {
    private static final boolean ON = System.getenv("BERTH_RUNTIME_TRACE") != null;
    private static long t0;

    private Trace() {}

    public static void mark(String step) {
        if (ON) {
            long now = System.nanoTime();
            if (t0 == 0) {
                t0 = now;
            }
            System.err.println("trace " + (now - t0) / 1000 / 1000.0 + " ms " + step);
        }
    }
}
