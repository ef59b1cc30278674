package io.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.spec.Descriptor;
import io.berth.spec.Manifest;
import io.berth.spec.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Outside input to the manifest parser: random bytes and mutations of a valid manifest must end in a
 * parsed manifest or a {@code MANIFEST_INVALID} error, never another exception (which would be a 500).
 */
class ManifestCheckFuzzTest {
    private static final byte[] VALID = Manifest.oci(
            Descriptor.forContent(MediaType.Known.OCI_CONFIG, "{}".getBytes(StandardCharsets.UTF_8)),
            List.of(Descriptor.forContent(MediaType.Known.OCI_LAYER_GZIP, new byte[] {1})), Map.of("a", "b")).toBytes();

    @Test
    void randomAndMutatedInputFailOnlyAsManifestInvalid() {
        Random r = new Random(42);
        String[] types = {MediaType.Known.OCI_MANIFEST.value(), MediaType.Known.OCI_INDEX.value(), "text/plain", ""};
        for (int i = 0; i < 20_000; i++) {
            byte[] in;
            if (i % 2 == 0) {
                in = VALID.clone();
                for (int k = 0, n = 1 + r.nextInt(4); k < n; k++) {
                    in[r.nextInt(in.length)] = (byte) (r.nextBoolean() ? r.nextInt(128) : "{}[]\",:0-9"
                            .charAt(r.nextInt(10)));
                }
            } else {
                in = new byte[r.nextInt(64)];
                r.nextBytes(in);
            }
            Optional<String> ct = Optional.of(types[r.nextInt(types.length)]).filter(s -> !s.isEmpty());
            try {
                ManifestCheck.parse(in, ct);
            } catch (RegistryException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID);
            }
        }
    }
}
