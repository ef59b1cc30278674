package io.berth.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.registry.ErrorCode;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.registry.Tag;
import io.berth.registry.storage.UploadStore.Upload;
import io.berth.spec.Digest;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Storage} must do, run against each implementation (containerd's testsuite idea):
 * an object-storage backend extends this class too.
 */
abstract class StorageContract {
    static final RepositoryName REPO = RepositoryName.of("app");

    /** A view of the implementation's backing store; views opened by one test share it. */
    abstract Storage open();

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    static ByteArrayInputStream in(byte[] b, int from, int to) {
        return new ByteArrayInputStream(Arrays.copyOfRange(b, from, to));
    }

    @Test
    void twoViewsFinishEachOthersUploads() {
        // two server processes over one store: nothing of a session lives only in memory
        Storage a = open();
        Storage b = open();
        byte[] blob = random(10_000);
        Digest d = Digest.sha256(blob);

        Upload u = a.uploads().start(REPO, Digest.SHA256);
        a.uploads().append(REPO, u.id(), OptionalLong.of(0), OptionalLong.of(4000), in(blob, 0, 4000));
        assertThat(b.uploads().get(REPO, u.id()).orElseThrow().offset()).isEqualTo(4000);
        b.uploads().append(REPO, u.id(), OptionalLong.of(4000), OptionalLong.empty(), in(blob, 4000, 7000));
        // a's running hash is stale now (offset 4000): it must hash the file, not trust memory
        a.uploads().append(REPO, u.id(), OptionalLong.of(7000), OptionalLong.empty(), in(blob, 7000, 10_000));
        assertThat(b.uploads().finish(REPO, u.id(), d)).isEqualTo(10_000);
        assertThat(a.blobs().read(d)).hasValueSatisfying(x -> assertThat(x).isEqualTo(blob));
        assertThat(a.uploads().get(REPO, u.id())).isEmpty();
    }

    @Test
    void shortChunkIsRejectedAndNotCounted() {
        Storage s = open();
        Upload u = s.uploads().start(REPO, Digest.SHA256);
        assertThatThrownBy(() -> s.uploads().append(REPO, u.id(), OptionalLong.of(0), OptionalLong.of(100),
                in(new byte[50], 0, 50)))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SIZE_INVALID));
        assertThat(s.uploads().get(REPO, u.id()).orElseThrow().offset()).isZero();
    }

    @Test
    void unknownOrForeignUploadIsBlobUploadUnknown() {
        Storage s = open();
        Upload u = s.uploads().start(REPO, Digest.SHA256);
        assertThatThrownBy(() -> s.uploads().append(RepositoryName.of("other"), u.id(), OptionalLong.empty(),
                OptionalLong.empty(), in(new byte[1], 0, 1)))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
        assertThatThrownBy(() -> s.uploads().finish(REPO, "../../etc", Digest.sha256(new byte[0])))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
    }

    @Test
    void tagsMove() {
        Storage s = open();
        Digest one = Digest.sha256(new byte[] {1});
        Digest two = Digest.sha256(new byte[] {2});
        Tag t = new Tag("latest");
        s.tags().set(REPO, t, one);
        s.tags().set(REPO, t, two);
        assertThat(s.tags().resolve(REPO, t)).contains(two);
        assertThat(s.tags().delete(REPO, t)).isTrue();
        assertThat(s.tags().resolve(REPO, t)).isEmpty();
    }

    @Test
    void catalogFindsNestedRepositories() {
        Storage s = open();
        Digest d = Digest.sha256(new byte[] {1});
        s.links().link(RepositoryName.of("a/b"), d);
        s.links().link(RepositoryName.of("a"), d);
        s.tags().set(RepositoryName.of("z/y/x"), new Tag("t"), d);
        assertThat(s.catalog().repositories()).extracting(RepositoryName::value).containsExactly("a", "a/b", "z/y/x");
        assertThat(s.catalog().exists(RepositoryName.of("z/y"))).isFalse();
    }
}
