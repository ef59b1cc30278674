package io.berth.registry.http;

import java.io.PrintStream;
import java.time.Instant;

/** One line per request: time, client, method, path, status, bytes sent, milliseconds. */
final class AccessLog {
    private final PrintStream out;

    private AccessLog(PrintStream out) {
        this.out = out;
    }

    static AccessLog to(PrintStream out) {
        return new AccessLog(out);
    }

    static AccessLog none() {
        return new AccessLog(null);
    }

    void log(Exchange ex, long nanos) {
        if (out == null) {
            return;
        }
        out.println(Instant.now() + " " + ex.ctx.channel().remoteAddress() + " " + ex.method() + " "
                + ex.request.uri() + " " + (ex.responded() ? ex.status().code() : 0) + " " + ex.bytesSent() + " "
                + nanos / 1_000_000 + "ms");
    }
}
