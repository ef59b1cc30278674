package io.berth.cli.remote;

import io.berth.client.Progress;
import io.berth.spec.Descriptor;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.ObjBuilder;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copy progress on stderr: on a terminal, one line per blob and a total, redrawn in place with the
 * rate; elsewhere a plain line per finished blob ({@code --progress=plain}), or one JSON object per
 * event ({@code --progress=json}) for programs.
 */
final class ProgressPrinter implements Progress {
    enum Mode { TTY, PLAIN, JSON, NONE }

    private final PrintStream err;
    private final Mode mode;
    private final long start = System.nanoTime();
    private final Map<String, long[]> blobs = new LinkedHashMap<>(); // digest -> {done, size}
    private final AtomicLong total = new AtomicLong();
    private long lastDraw;
    private int drawnLines;

    ProgressPrinter(PrintStream err, Mode mode) {
        this.err = err;
        this.mode = mode;
    }

    static Mode mode(String option) {
        return switch (option) {
            case "auto" -> System.console() != null && System.console().isTerminal() ? Mode.TTY : Mode.PLAIN;
            case "tty" -> Mode.TTY;
            case "plain" -> Mode.PLAIN;
            case "json" -> Mode.JSON;
            case "none" -> Mode.NONE;
            default -> throw new io.berth.cli.UsageException("--progress must be auto, tty, plain, json or none");
        };
    }

    private static String shortDigest(Descriptor d) {
        return d.digest().encoded().substring(0, Math.min(12, d.digest().encoded().length()));
    }

    @Override
    public synchronized void started(Descriptor blob) {
        blobs.put(blob.digest().toString(), new long[] {0, blob.size()});
        if (mode == Mode.JSON) {
            json("start", blob, 0);
        }
    }

    @Override
    public synchronized void transferred(Descriptor blob, long n) {
        long[] b = blobs.get(blob.digest().toString());
        if (b != null) {
            b[0] += n;
        }
        total.addAndGet(n);
        long now = System.nanoTime();
        if (mode == Mode.TTY && now - lastDraw > 100_000_000L) {
            lastDraw = now;
            draw();
        }
    }

    @Override
    public synchronized void finished(Descriptor blob, Outcome outcome) {
        long[] b = blobs.get(blob.digest().toString());
        if (b != null) {
            b[0] = b[1];
        }
        switch (mode) {
            case TTY -> draw();
            case PLAIN -> err.printf("%s %s %s%n", outcome.name().toLowerCase(java.util.Locale.ROOT), shortDigest(blob),
                    human(blob.size()));
            case JSON -> json(outcome.name().toLowerCase(java.util.Locale.ROOT), blob, blob.size());
            case NONE -> { }
        }
    }

    private void json(String event, Descriptor blob, long done) {
        byte[] line = JsonCodec.write(new ObjBuilder().put("event", event).put("digest", blob.digest().toString())
                .put("size", blob.size()).put("done", done).build());
        err.println(new String(line, java.nio.charset.StandardCharsets.UTF_8));
    }

    private void draw() {
        StringBuilder sb = new StringBuilder();
        if (drawnLines > 0) {
            sb.append("\033[").append(drawnLines).append('A');
        }
        long all = 0;
        long done = 0;
        for (var e : blobs.entrySet()) {
            long[] b = e.getValue();
            all += b[1];
            done += b[0];
            int pct = b[1] == 0 ? 100 : (int) (100 * b[0] / b[1]);
            sb.append("\r\033[K").append(e.getKey(), 7, Math.min(19, e.getKey().length())).append(' ')
                    .append(bar(pct)).append(String.format(" %3d%% %s%n", pct, human(b[1])));
        }
        double secs = Math.max(0.001, (System.nanoTime() - start) / 1e9);
        sb.append("\r\033[K").append(String.format("total %s / %s, %s/s%n", human(done), human(all),
                human((long) (total.get() / secs))));
        drawnLines = blobs.size() + 1;
        err.print(sb);
        err.flush();
    }

    private static String bar(int pct) {
        int n = pct / 5;
        return "[" + "=".repeat(n) + " ".repeat(20 - n) + "]";
    }

    static String human(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
