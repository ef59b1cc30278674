package io.berth.registry.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request metrics in Prometheus' text exposition format, served at {@code GET /metrics}: requests by
 * method and status, a latency histogram, bytes sent, and requests in flight. No repository names or
 * other request data appear in labels.
 */
final class Metrics {
    private static final double[] BUCKETS = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30};
    /** Methods whose counters live in {@link #known}, indexed by method and status, so that counting allocates nothing. */
    private static final String[] METHODS = {"GET", "HEAD", "PUT", "POST", "PATCH", "DELETE"};
    private static final int STATUSES = 600;

    private final AtomicReferenceArray<LongAdder> known = new AtomicReferenceArray<>(METHODS.length * STATUSES);
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder[] buckets = new LongAdder[BUCKETS.length];
    private final LongAdder count = new LongAdder();
    private final LongAdder nanos = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder inFlight = new LongAdder();

    Metrics() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    void started() {
        inFlight.increment();
    }

    void finished(String method, int status, long bytesSent, long elapsedNanos) {
        inFlight.decrement();
        int m = methodIndex(method);
        if (m >= 0 && status >= 0 && status < STATUSES) {
            int slot = m * STATUSES + status;
            LongAdder a = known.get(slot);
            if (a == null) {
                known.compareAndSet(slot, null, new LongAdder());
                a = known.get(slot);
            }
            a.increment();
        } else {
            requests.computeIfAbsent(labels(method, status), k -> new LongAdder()).increment();
        }
        // each request counts in its own bucket; render() adds them up (Prometheus buckets are cumulative)
        double s = elapsedNanos / 1e9;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (s <= BUCKETS[i]) {
                buckets[i].increment();
                break;
            }
        }
        count.increment();
        nanos.add(elapsedNanos);
        bytes.add(bytesSent);
    }

    private static int methodIndex(String method) {
        for (int i = 0; i < METHODS.length; i++) {
            if (METHODS[i].equals(method)) {
                return i;
            }
        }
        return -1;
    }

    private static String labels(String method, int status) {
        return "method=\"" + method + "\",code=\"" + status + "\"";
    }

    byte[] render() {
        Map<String, Long> all = new TreeMap<>();
        requests.forEach((labels, n) -> all.put(labels, n.sum()));
        for (int slot = 0; slot < known.length(); slot++) {
            LongAdder a = known.get(slot);
            if (a != null) {
                all.merge(labels(METHODS[slot / STATUSES], slot % STATUSES), a.sum(), Long::sum);
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("# HELP berth_registry_http_requests_total HTTP requests by method and status code.\n");
        b.append("# TYPE berth_registry_http_requests_total counter\n");
        all.forEach((labels, n) ->
                b.append("berth_registry_http_requests_total{").append(labels).append("} ").append(n).append('\n'));
        b.append("# HELP berth_registry_http_request_duration_seconds Time from request line to response handed to the socket.\n");
        b.append("# TYPE berth_registry_http_request_duration_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BUCKETS.length; i++) {
            cumulative += buckets[i].sum();
            b.append("berth_registry_http_request_duration_seconds_bucket{le=\"").append(BUCKETS[i]).append("\"} ")
                    .append(cumulative).append('\n');
        }
        b.append("berth_registry_http_request_duration_seconds_bucket{le=\"+Inf\"} ").append(count.sum()).append('\n');
        b.append("berth_registry_http_request_duration_seconds_sum ").append(nanos.sum() / 1e9).append('\n');
        b.append("berth_registry_http_request_duration_seconds_count ").append(count.sum()).append('\n');
        b.append("# HELP berth_registry_http_response_bytes_total Response body bytes sent.\n");
        b.append("# TYPE berth_registry_http_response_bytes_total counter\n");
        b.append("berth_registry_http_response_bytes_total ").append(bytes.sum()).append('\n');
        b.append("# HELP berth_registry_http_requests_in_flight Requests being handled.\n");
        b.append("# TYPE berth_registry_http_requests_in_flight gauge\n");
        b.append("berth_registry_http_requests_in_flight ").append(inFlight.sum()).append('\n');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
