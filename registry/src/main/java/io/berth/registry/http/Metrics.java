package io.berth.registry.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request metrics in Prometheus' text exposition format, served at {@code GET /metrics}: requests by
 * method and status, a latency histogram, bytes sent, and requests in flight. No repository names or
 * other request data appear in labels.
 */
final class Metrics {
    private static final double[] BUCKETS = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30};

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
        requests.computeIfAbsent("method=\"" + method + "\",code=\"" + status + "\"", k -> new LongAdder()).increment();
        double s = elapsedNanos / 1e9;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (s <= BUCKETS[i]) {
                buckets[i].increment();
            }
        }
        count.increment();
        nanos.add(elapsedNanos);
        bytes.add(bytesSent);
    }

    byte[] render() {
        StringBuilder b = new StringBuilder();
        b.append("# HELP berth_registry_http_requests_total HTTP requests by method and status code.\n");
        b.append("# TYPE berth_registry_http_requests_total counter\n");
        new TreeMap<>(requests).forEach((labels, n) ->
                b.append("berth_registry_http_requests_total{").append(labels).append("} ").append(n.sum()).append('\n'));
        b.append("# HELP berth_registry_http_request_duration_seconds Time from request line to response handed to the socket.\n");
        b.append("# TYPE berth_registry_http_request_duration_seconds histogram\n");
        for (int i = 0; i < BUCKETS.length; i++) {
            b.append("berth_registry_http_request_duration_seconds_bucket{le=\"").append(BUCKETS[i]).append("\"} ")
                    .append(buckets[i].sum()).append('\n');
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
