package io.berth.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** libcrypto's SHA-256 against the JDK's, on the sizes around SHA-256's 64-byte blocks and padding. */
class LibcryptoSha256Test {
    private static final HexFormat HEX = HexFormat.of();

    private static MessageDigest jdk() throws Exception {
        return MessageDigest.getInstance("SHA-256");
    }

    @Test
    void libcryptoIsUsedHere() {
        // CI installs libssl3 (scripts/env.sh); a silent fallback would hide a slow pull.
        assertThat(LibcryptoSha256.UNAVAILABLE).isNull();
        assertThat(Digest.bulkHasher(Digest.SHA256)).isInstanceOf(LibcryptoSha256.class);
        assertThat(Digest.bulkHasher(Digest.SHA512).getAlgorithm()).isEqualTo("SHA-512");
    }

    @Test
    void knownAnswers() {
        MessageDigest md = LibcryptoSha256.create();
        assertThat(HEX.formatHex(md.digest())).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        // digest() resets: the same object hashes "abc" next (FIPS 180-2 example).
        assertThat(HEX.formatHex(md.digest("abc".getBytes())))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 55, 56, 63, 64, 65, 127, 128, 1000, 262_144, 1_048_577, 3_145_735})
    void matchesTheJdkInPiecesAndSlices(int size) throws Exception {
        byte[] data = new byte[size + 20];
        new Random(size).nextBytes(data);
        MessageDigest ours = LibcryptoSha256.create();
        MessageDigest theirs = jdk();
        // Feed a slice in uneven pieces: single bytes, arrays with offsets, a heap and a direct buffer.
        int off = 7;
        int end = off + size;
        int pos = off;
        int step = 1;
        while (pos < end) {
            int n = Math.min(step, end - pos);
            switch (step % 4) {
                case 0 -> ours.update(ByteBuffer.wrap(data, pos, n));
                case 1 -> {
                    ByteBuffer direct = ByteBuffer.allocateDirect(n + 3);
                    direct.put(new byte[3]).put(data, pos, n).flip().position(3);
                    ours.update(direct);
                    assertThat(direct.hasRemaining()).isFalse();
                }
                case 2 -> {
                    for (int i = 0; i < n; i++) {
                        ours.update(data[pos + i]);
                    }
                }
                default -> ours.update(data, pos, n);
            }
            pos += n;
            step = step * 3 + 1;
        }
        theirs.update(data, off, size);
        assertThat(HEX.formatHex(ours.digest())).isEqualTo(HEX.formatHex(theirs.digest()));
    }

    @Test
    void oneCallLargerThanADowncallsShare() throws Exception {
        byte[] data = new byte[(5 << 20) + 3]; // split into 1 MiB downcalls inside
        new Random(5).nextBytes(data);
        assertThat(LibcryptoSha256.create().digest(data)).isEqualTo(jdk().digest(data));
    }

    @Test
    void aCloneGoesOnIndependently() throws Exception {
        MessageDigest a = LibcryptoSha256.create();
        a.update("hello ".getBytes());
        MessageDigest b = (MessageDigest) a.clone();
        a.update("world".getBytes());
        b.update("there".getBytes());
        assertThat(a.digest()).isEqualTo(jdk().digest("hello world".getBytes()));
        assertThat(b.digest()).isEqualTo(jdk().digest("hello there".getBytes()));
    }

    @Test
    void resetStartsOver() throws Exception {
        MessageDigest md = LibcryptoSha256.create();
        md.update(new byte[100]);
        md.reset();
        md.update("abc".getBytes());
        assertThat(md.digest()).isEqualTo(jdk().digest("abc".getBytes()));
    }

    @Test
    void badSlicesAreRefused() {
        MessageDigest md = LibcryptoSha256.create();
        assertThatThrownBy(() -> md.update(new byte[10], 8, 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
