package io.berth.registry;

import static io.berth.registry.ManifestsApiTest.OCI_MANIFEST;
import static io.berth.registry.TestRegistry.header;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.Index;
import io.berth.spec.Manifest;
import io.berth.spec.MediaType;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Referrers API paging (end-12a/12b, "Listing Referrers"): "A Link header MUST be included in the
 * response when the descriptor list cannot be returned in a single manifest. Each response is an image
 * index with different descriptors in the manifests field. The Link header MUST be set according to
 * RFC 5988 with the Relation Type rel="next"."
 */
class ReferrersPagingTest {
    private static final String SBOM = "application/vnd.example.sbom.v1";
    private static final String SIG = "application/vnd.example.signature.v1";
    private static final Pattern NEXT = Pattern.compile("^<([^>]+)>;\\s*rel=\"next\"$");

    @TempDir
    Path dir;

    /** The subject's digest; pushes {@code types.length} referrers with those artifact types. */
    private static Digest pushReferrers(TestRegistry reg, List<Digest> pushed, String padding, String... types) {
        byte[] subject = reg.pushImage("app", "v1", "l");
        Digest s = Digest.sha256(subject);
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        reg.pushBlob("app", empty);
        Descriptor config = Descriptor.forContent(MediaType.Known.OCI_EMPTY, empty);
        Descriptor subj = Descriptor.of(MediaType.Known.OCI_MANIFEST, s, subject.length);
        for (int i = 0; i < types.length; i++) {
            byte[] m = new Manifest(Optional.of(MediaType.Known.OCI_MANIFEST), Optional.of(types[i]), config, List.of(),
                    Optional.of(subj), Map.of("n", Integer.toString(i), "pad", padding)).toBytes();
            HttpResponse<byte[]> put = reg.request("PUT", "/v2/app/manifests/" + Digest.sha256(m), m,
                    "Content-Type", OCI_MANIFEST);
            assertThat(put.statusCode()).isEqualTo(201);
            pushed.add(Digest.sha256(m));
        }
        return s;
    }

    /** Fetches {@code path} and every page its Link headers lead to. */
    private static List<HttpResponse<byte[]>> allPages(TestRegistry reg, String path) {
        List<HttpResponse<byte[]>> pages = new ArrayList<>();
        String next = path;
        while (next != null) {
            HttpResponse<byte[]> r = reg.get(next);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(header(r, "Content-Type")).isEqualTo(MediaType.Known.OCI_INDEX.value());
            pages.add(r);
            String link = header(r, "Link");
            if (link == null) {
                next = null;
            } else {
                Matcher m = NEXT.matcher(link);
                assertThat(m.matches()).as("Link header %s", link).isTrue();
                URI u = URI.create(reg.base() + path).resolve(m.group(1));
                next = u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
            }
            assertThat(pages).as("pages").hasSizeLessThan(50);
        }
        return pages;
    }

    private static List<Descriptor> descriptors(List<HttpResponse<byte[]>> pages) {
        List<Descriptor> out = new ArrayList<>();
        for (HttpResponse<byte[]> p : pages) {
            out.addAll(Index.parse(p.body()).manifests());
        }
        return out;
    }

    @Test
    void pagedByCountWithLinkNext() {
        List<Digest> pushed = new ArrayList<>();
        try (TestRegistry reg = new TestRegistry(dir, Limits.DEFAULT.withReferrersPageSize(3))) {
            Digest s = pushReferrers(reg, pushed, "", SBOM, SIG, SBOM, SIG, SBOM, SIG, SBOM);
            List<HttpResponse<byte[]>> pages = allPages(reg, "/v2/app/referrers/" + s);
            assertThat(pages).hasSize(3);
            assertThat(pages).extracting(p -> Index.parse(p.body()).manifests().size()).containsExactly(3, 3, 1);
            assertThat(header(pages.getLast(), "Link")).as("no Link on the last page").isNull();
            // "Each response is an image index with different descriptors": all of them, once, in digest order
            assertThat(descriptors(pages)).extracting(Descriptor::digest)
                    .containsExactlyElementsOf(pushed.stream().sorted().toList());
            assertThat(pages).allSatisfy(p -> assertThat(header(p, "OCI-Filters-Applied")).isNull());
        }
    }

    @Test
    void filteringAppliesToEveryPage() {
        List<Digest> pushed = new ArrayList<>();
        try (TestRegistry reg = new TestRegistry(dir, Limits.DEFAULT.withReferrersPageSize(3))) {
            Digest s = pushReferrers(reg, pushed, "", SBOM, SIG, SBOM, SIG, SBOM, SIG, SBOM);
            List<HttpResponse<byte[]>> sboms = allPages(reg, "/v2/app/referrers/" + s + "?artifactType=" + SBOM);
            assertThat(sboms).hasSize(2);
            // "If filtering is requested and applied, the response MUST include a header OCI-Filters-Applied"
            assertThat(sboms).allSatisfy(p -> assertThat(header(p, "OCI-Filters-Applied")).isEqualTo("artifactType"));
            assertThat(header(sboms.getFirst(), "Link")).contains("artifactType=" + SBOM.replace("/", "%2F"));
            List<Descriptor> all = descriptors(sboms);
            assertThat(all).hasSize(4).allSatisfy(d -> assertThat(d.artifactType()).contains(SBOM));
            assertThat(all).extracting(Descriptor::digest).isSorted().doesNotHaveDuplicates();

            // exactly one page's worth of signatures: no Link to an empty page
            List<HttpResponse<byte[]>> sigs = allPages(reg, "/v2/app/referrers/" + s + "?artifactType=" + SIG);
            assertThat(sigs).hasSize(1);
            assertThat(Index.parse(sigs.getFirst().body()).manifests()).hasSize(3);

            // no match: an empty index, filter header still set
            List<HttpResponse<byte[]>> none = allPages(reg, "/v2/app/referrers/" + s + "?artifactType=application/none");
            assertThat(none).hasSize(1);
            assertThat(Index.parse(none.getFirst().body()).manifests()).isEmpty();
            assertThat(header(none.getFirst(), "OCI-Filters-Applied")).isEqualTo("artifactType");
        }
    }

    @Test
    void pagedBySizeSoThatEachPageFitsAManifest() {
        List<Digest> pushed = new ArrayList<>();
        // 8 KiB manifests at most; each descriptor carries ~1 KiB of annotations
        Limits limits = new Limits(8 * 1024, 10_000);
        try (TestRegistry reg = new TestRegistry(dir, limits)) {
            String[] types = new String[20];
            java.util.Arrays.fill(types, SBOM);
            Digest s = pushReferrers(reg, pushed, "x".repeat(1000), types);
            List<HttpResponse<byte[]>> pages = allPages(reg, "/v2/app/referrers/" + s);
            assertThat(pages.size()).isGreaterThanOrEqualTo(3);
            assertThat(pages).allSatisfy(p -> assertThat(p.body().length).isLessThanOrEqualTo(8 * 1024));
            assertThat(descriptors(pages)).extracting(Descriptor::digest)
                    .containsExactlyElementsOf(pushed.stream().sorted().toList());
        }
    }

    @Test
    void aContinuationSurvivesChangesBetweenPages() {
        List<Digest> pushed = new ArrayList<>();
        try (TestRegistry reg = new TestRegistry(dir, Limits.DEFAULT.withReferrersPageSize(2))) {
            Digest s = pushReferrers(reg, pushed, "", SBOM, SBOM, SBOM, SBOM, SBOM);
            List<Digest> sorted = pushed.stream().sorted().toList();
            HttpResponse<byte[]> first = reg.get("/v2/app/referrers/" + s);
            String link = header(first, "Link");
            assertThat(link).isNotNull();
            // the referrer the continuation points after goes away before the next page is fetched
            assertThat(reg.delete("/v2/app/manifests/" + sorted.get(1)).statusCode()).isEqualTo(202);
            Matcher m = NEXT.matcher(link);
            assertThat(m.matches()).isTrue();
            List<HttpResponse<byte[]>> rest = allPages(reg, m.group(1));
            assertThat(descriptors(rest)).extracting(Descriptor::digest).containsExactlyElementsOf(sorted.subList(2, 5));
        }
    }

    @Test
    void aMalformedContinuationIs400() {
        try (TestRegistry reg = new TestRegistry(dir)) {
            Digest s = Digest.sha256(new byte[] {1});
            assertThat(reg.get("/v2/app/referrers/" + s + "?last=nonsense").statusCode()).isEqualTo(400);
        }
    }
}
