package io.berth.registry;

import static io.berth.registry.TestRegistry.header;
import static io.berth.registry.TestRegistry.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tags list (end-8a/8b) and the catalog. */
class DiscoveryApiTest {
    @TempDir
    Path dir;
    TestRegistry reg;

    @BeforeEach
    void start() {
        reg = new TestRegistry(dir);
    }

    @AfterEach
    void stop() {
        reg.close();
    }

    @Test
    void tagsInAsciiOrderWithPaging() {
        byte[] m = reg.pushImage("app", "b", "l");
        for (String t : new String[] {"a", "C", "c", "1.0"}) {
            reg.request("PUT", "/v2/app/manifests/" + t, m, "Content-Type", ManifestsApiTest.OCI_MANIFEST);
        }
        HttpResponse<byte[]> all = reg.get("/v2/app/tags/list");
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(text(all)).isEqualTo("{\"name\":\"app\",\"tags\":[\"1.0\",\"C\",\"a\",\"b\",\"c\"]}");
        assertThat(header(all, "Link")).isNull();

        HttpResponse<byte[]> p1 = reg.get("/v2/app/tags/list?n=2");
        assertThat(text(p1)).isEqualTo("{\"name\":\"app\",\"tags\":[\"1.0\",\"C\"]}");
        assertThat(header(p1, "Link")).isEqualTo("</v2/app/tags/list?n=2&last=C>; rel=\"next\"");
        HttpResponse<byte[]> p2 = reg.get("/v2/app/tags/list?n=2&last=C");
        assertThat(text(p2)).isEqualTo("{\"name\":\"app\",\"tags\":[\"a\",\"b\"]}");
        HttpResponse<byte[]> p3 = reg.get("/v2/app/tags/list?n=2&last=b");
        assertThat(text(p3)).isEqualTo("{\"name\":\"app\",\"tags\":[\"c\"]}");
        assertThat(header(p3, "Link")).isNull();
        // "When using the last query parameter, the n parameter is OPTIONAL."
        assertThat(text(reg.get("/v2/app/tags/list?last=a"))).isEqualTo("{\"name\":\"app\",\"tags\":[\"b\",\"c\"]}");

        // "When n is zero, this endpoint MUST return an empty list, and MUST NOT include a Link header."
        HttpResponse<byte[]> zero = reg.get("/v2/app/tags/list?n=0");
        assertThat(text(zero)).isEqualTo("{\"name\":\"app\",\"tags\":[]}");
        assertThat(header(zero, "Link")).isNull();

        assertThat(reg.get("/v2/app/tags/list?n=-1").statusCode()).isEqualTo(400);
    }

    @Test
    void unknownRepositoryIsNameUnknown() {
        HttpResponse<byte[]> r = reg.get("/v2/nothere/tags/list");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(text(r)).contains("\"NAME_UNKNOWN\"");
    }

    @Test
    void repositoryWithBlobsButNoTagsListsEmpty() {
        reg.pushBlob("empty", new byte[] {1});
        assertThat(text(reg.get("/v2/empty/tags/list"))).isEqualTo("{\"name\":\"empty\",\"tags\":[]}");
    }

    @Test
    void catalogWithPaging() {
        for (String r : new String[] {"b", "a/x", "a", "c/d/e"}) {
            reg.pushImage(r, "t", r);
        }
        assertThat(text(reg.get("/v2/_catalog"))).isEqualTo("{\"repositories\":[\"a\",\"a/x\",\"b\",\"c/d/e\"]}");
        HttpResponse<byte[]> p1 = reg.get("/v2/_catalog?n=3");
        assertThat(text(p1)).isEqualTo("{\"repositories\":[\"a\",\"a/x\",\"b\"]}");
        assertThat(header(p1, "Link")).isEqualTo("</v2/_catalog?n=3&last=b>; rel=\"next\"");
        assertThat(text(reg.get("/v2/_catalog?n=3&last=b"))).isEqualTo("{\"repositories\":[\"c/d/e\"]}");
    }

    @Test
    void prometheusMetrics() throws InterruptedException {
        reg.get("/v2/");
        reg.get("/v2/nothere/tags/list");
        // a request is counted just after its response is written: give the counters a moment
        HttpResponse<byte[]> m = reg.get("/metrics");
        for (int i = 0; i < 50 && !text(m).contains("_count 2\n"); i++) {
            Thread.sleep(20);
            m = reg.get("/metrics");
        }
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(header(m, "Content-Type")).startsWith("text/plain");
        assertThat(text(m)).containsPattern("berth_registry_http_requests_total\\{method=\"GET\",code=\"200\"} [1-9]\n")
                .contains("berth_registry_http_requests_total{method=\"GET\",code=\"404\"} 1\n")
                .containsPattern("berth_registry_http_request_duration_seconds_count [2-9]\n")
                .contains("berth_registry_http_requests_in_flight 1\n");
    }

    @Test
    void unknownPathAndMethod() {
        assertThat(reg.get("/v3/").statusCode()).isEqualTo(404);
        assertThat(reg.request("POST", "/v2/app/tags/list", new byte[0]).statusCode()).isEqualTo(405);
        assertThat(text(reg.request("PATCH", "/v2/app/manifests/x", new byte[0]))).contains("\"UNSUPPORTED\"");
    }
}
