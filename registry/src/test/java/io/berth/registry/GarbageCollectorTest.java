package io.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.gc.GarbageCollector;
import io.berth.registry.storage.Storage;
import io.berth.spec.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GarbageCollectorTest {
    @TempDir
    Path dir;

    private static Digest digest(String s) {
        return Digest.sha256(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void sweepsOnlyWhatNothingReaches() {
        byte[] tagged;
        byte[] untagged;
        Digest lone;
        try (TestRegistry reg = new TestRegistry(dir)) {
            tagged = reg.pushImage("app", "v1", "kept-layer");
            untagged = reg.pushImage("app", "tmp", "untagged-layer");
            reg.delete("/v2/app/manifests/tmp");
            lone = reg.pushBlob("app", "lone".getBytes(StandardCharsets.UTF_8));
        }
        Storage storage = Storage.filesystem(dir);
        storage.uploads().start(RepositoryName.of("app"), Digest.SHA256);

        // inside the grace period nothing goes, not even the lone blob or the open upload
        GarbageCollector.Result fresh = new GarbageCollector(storage, Duration.ofHours(1), true, false).run();
        assertThat(fresh.blobsRemoved()).isZero();
        assertThat(fresh.manifestsRemoved()).isZero();
        assertThat(fresh.uploadsRemoved()).isZero();

        GarbageCollector.Result r = new GarbageCollector(storage, Duration.ZERO, false, false).run();
        assertThat(r.blobsRemoved()).isEqualTo(1);
        assertThat(r.uploadsRemoved()).isEqualTo(1);
        assertThat(storage.blobs().size(lone)).isEmpty();
        assertThat(storage.blobs().size(digest("untagged-layer"))).isPresent();

        GarbageCollector.Result r2 = new GarbageCollector(storage, Duration.ZERO, true, false).run();
        assertThat(r2.manifestsRemoved()).isEqualTo(1);
        assertThat(storage.blobs().size(Digest.sha256(untagged))).isEmpty();
        assertThat(storage.blobs().size(digest("untagged-layer"))).isEmpty();
        assertThat(storage.blobs().size(Digest.sha256(tagged))).isPresent();
        assertThat(storage.blobs().size(digest("kept-layer"))).isPresent();

        try (TestRegistry reg = new TestRegistry(dir)) {
            assertThat(reg.get("/v2/app/manifests/v1").body()).isEqualTo(tagged);
            assertThat(reg.get("/v2/app/blobs/" + digest("kept-layer")).statusCode()).isEqualTo(200);
            assertThat(reg.get("/v2/app/blobs/" + lone).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aManifestPushRefreshesTheBlobsItReferences() throws Exception {
        try (TestRegistry reg = new TestRegistry(dir)) {
            byte[] layer = "old-layer".getBytes(StandardCharsets.UTF_8);
            Digest d = reg.pushBlob("app", layer);
            Path file = dir.resolve("blobs/sha256/" + d.encoded().substring(0, 2) + "/" + d.encoded());
            Files.setLastModifiedTime(file, FileTime.from(
                    Instant.now().minus(Duration.ofHours(2))));
            // a client that found the layer with HEAD pushes only the manifest
            reg.pushImage("app", "v1", "old-layer");
            assertThat(Files.getLastModifiedTime(file).toInstant())
                    .isAfter(Instant.now().minus(Duration.ofMinutes(1)));
            // and a sweep that decided on the old time re-checks before deleting
            assertThat(reg.registry.storage().blobs().deleteIfUntouchedSince(d,
                    Instant.now().minus(Duration.ofHours(1)))).isFalse();
        }
    }

    @Test
    void dryRunRemovesNothing() {
        Digest lone;
        try (TestRegistry reg = new TestRegistry(dir)) {
            lone = reg.pushBlob("app", "lone".getBytes(StandardCharsets.UTF_8));
        }
        Storage storage = Storage.filesystem(dir);
        assertThat(new GarbageCollector(storage, Duration.ZERO, true, true).run().blobsRemoved()).isEqualTo(1);
        assertThat(storage.blobs().size(lone)).isPresent();
    }
}
