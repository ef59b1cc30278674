package io.berth.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.RepositoryName;
import io.berth.registry.Tag;
import io.berth.registry.storage.UploadStore.Upload;
import io.berth.spec.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on the filesystem, plus what only the filesystem layout can show. */
class FsStorageTest extends StorageContract {
    @TempDir
    Path dir;

    @Override
    Storage open() {
        return Storage.filesystem(dir);
    }

    @Test
    void bytesPastTheCommittedOffsetAreIgnoredAndCutOff() throws IOException {
        Storage s = open();
        byte[] blob = random(3000);
        Upload u = s.uploads().start(REPO, Digest.SHA256);
        s.uploads().append(REPO, u.id(), OptionalLong.empty(), OptionalLong.empty(),
                in(blob, 0, 1000));
        // a writer killed mid-chunk leaves bytes in data that state never counted
        Files.write(dir.resolve("uploads").resolve(u.id()).resolve("data"), new byte[500], StandardOpenOption.APPEND);
        Storage restarted = open();
        assertThat(restarted.uploads().get(REPO, u.id()).orElseThrow().offset()).isEqualTo(1000);
        restarted.uploads().append(REPO, u.id(), OptionalLong.of(1000), OptionalLong.empty(),
                in(blob, 1000, 3000));
        restarted.uploads().finish(REPO, u.id(), Digest.sha256(blob));
        assertThat(restarted.blobs().read(Digest.sha256(blob))).hasValueSatisfying(x -> assertThat(x).isEqualTo(blob));
    }

    @Test
    void writesLeaveNoTemporaries() throws IOException {
        Storage s = open();
        s.tags().set(REPO, new Tag("latest"), Digest.sha256(new byte[] {1}));
        s.tags().set(REPO, new Tag("latest"), Digest.sha256(new byte[] {2}));
        try (var l = Files.list(dir.resolve("tmp"))) {
            assertThat(l.toList()).isEmpty();
        }
        assertThat(s.catalog().repositories()).containsExactly(RepositoryName.of("app"));
    }

    /** The whole contract again on storage that does not fsync (--no-fsync): same behaviour, less durability. */
    @org.junit.jupiter.api.Nested
    class WithoutFsync extends StorageContract {
        @Override
        Storage open() {
            return Storage.filesystem(dir.resolve("nosync"), false);
        }
    }
}
