package io.berth.image.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.image.ImageException;
import io.berth.spec.Digest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {
    @TempDir
    Path tmp;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void storesUnderBlobsAlgorithmEncoded() throws Exception {
        ContentStore s = ContentStore.open(tmp);
        ContentStore.Written w = s.put(b("hello"));
        assertThat(w.digest()).isEqualTo(Digest.sha256(b("hello")));
        assertThat(tmp.resolve("blobs/sha256/" + w.digest().encoded())).hasContent("hello");
        assertThat(s.has(w.digest())).isTrue();
        assertThat(s.size(w.digest())).contains(5L);
        assertThat(s.list()).containsExactly(w.digest());
        try (var in = s.open(w.digest())) {
            assertThat(in.readAllBytes()).isEqualTo(b("hello"));
        }
    }

    @Test
    void digestMismatchStoresNothing() throws Exception {
        ContentStore s = ContentStore.open(tmp);
        Digest wrong = Digest.sha256(b("other"));
        assertThatThrownBy(() -> s.ingest(new ByteArrayInputStream(b("hello")), Optional.of(wrong), OptionalLong.empty()))
                .isInstanceOf(ImageException.class).hasMessageContaining("expected " + wrong);
        assertThat(s.list()).isEmpty();
        assertThat(s.has(wrong)).isFalse();
        try (var leftovers = Files.list(tmp.resolve(".berth-ingest"))) {
            assertThat(leftovers.toList()).isEmpty();
        }
    }

    @Test
    void blobsPastTheEarlyWritebackStepStoreExactlyOrNothing() throws Exception {
        // 40 MiB: two background syncs start while the blob is still being written
        byte[] data = new byte[(int) (2.5 * EarlyWriteback.STEP)];
        new java.util.Random(7).nextBytes(data);
        ContentStore s = ContentStore.open(tmp);
        ContentStore.Written w = s.ingest(new ByteArrayInputStream(data), Optional.of(Digest.sha256(data)),
                OptionalLong.of(data.length));
        assertThat(Files.readAllBytes(s.path(w.digest()))).isEqualTo(data);

        data[data.length - 1] ^= 1; // same size, other digest than claimed: refused, and nothing is left behind
        byte[] changed = data;
        assertThatThrownBy(() -> s.ingest(new ByteArrayInputStream(changed), Optional.of(w.digest()),
                OptionalLong.of(changed.length))).isInstanceOf(ImageException.class);
        assertThat(s.list()).containsExactly(w.digest());
        try (var left = Files.list(tmp.resolve(ContentStore.INGEST_DIR))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void sizeMismatchStoresNothing() {
        ContentStore s = ContentStore.open(tmp);
        assertThatThrownBy(() -> s.ingest(new ByteArrayInputStream(b("hello")), Optional.empty(), OptionalLong.of(3)))
                .hasMessageContaining("more than the expected 3 bytes");
        assertThatThrownBy(() -> s.ingest(new ByteArrayInputStream(b("hello")), Optional.empty(), OptionalLong.of(9)))
                .hasMessageContaining("got 5 bytes, expected 9");
        assertThat(s.list()).isEmpty();
    }

    @Test
    void readVerifiesAgainstTheDescriptorAndLimits() throws Exception {
        ContentStore s = ContentStore.open(tmp);
        ContentStore.Written w = s.put(b("{\"a\":1}"));
        assertThatThrownBy(() -> s.read(w.digest(), 3)).hasMessageContaining("limit of 3");
        Files.writeString(s.path(w.digest()), "{\"a\":2}");
        var desc = io.berth.spec.Descriptor.of(io.berth.spec.MediaType.Known.OCI_CONFIG, w.digest(), w.size());
        assertThatThrownBy(() -> s.read(desc, 100)).hasMessageContaining("does not match its digest");
        assertThatThrownBy(() -> s.open(Digest.sha256(b("missing")))).hasMessageContaining("not found in " + tmp);
    }

    @Test
    void concurrentWritersOfTheSameBlobAllSucceed() throws Exception {
        ContentStore s = ContentStore.open(tmp);
        byte[] data = new byte[4 << 20];
        new java.util.Random(1).nextBytes(data);
        List<Future<ContentStore.Written>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> s.ingest(new ByteArrayInputStream(data), Optional.of(Digest.sha256(data)),
                        OptionalLong.of(data.length))));
            }
        }
        for (Future<ContentStore.Written> f : results) {
            assertThat(f.get().digest()).isEqualTo(Digest.sha256(data));
        }
        assertThat(s.list()).hasSize(1);
        assertThat(Files.readAllBytes(s.path(Digest.sha256(data)))).isEqualTo(data);
    }

    @Test
    void unsupportedAlgorithmsAreRefused() {
        ContentStore s = ContentStore.open(tmp);
        Digest odd = Digest.parse("blake3:" + "ab".repeat(32));
        assertThatThrownBy(() -> s.path(odd)).hasMessageContaining("unsupported digest algorithm");
        assertThat(s.has(odd)).isFalse();
    }
}
