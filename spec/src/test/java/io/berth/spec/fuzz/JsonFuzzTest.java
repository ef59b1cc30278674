package io.berth.spec.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.spec.ImageConfig;
import io.berth.spec.Index;
import io.berth.spec.InvalidDigestException;
import io.berth.spec.Manifest;
import io.berth.spec.json.JsonException;
import io.berth.spec.runtime.Spec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Mutation fuzzing of every parser that takes outside JSON: each mutant either parses or fails with
 * the parser's own error (JsonException, or an invalid-argument error naming the value). Anything
 * else (NullPointerException, ClassCastException, StackOverflowError...) is a bug. Fixed seeds: the
 * run is repeatable.
 */
public class JsonFuzzTest {
    static final int ROUNDS = 3000;

    public static final String MANIFEST = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json",
               "digest":"sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b","size":7},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip",
               "digest":"sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b","size":42,
               "annotations":{"a":"b"},"urls":["http://x"]}],
             "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json",
               "digest":"sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b","size":1}}
            """;
    static final String INDEX = """
            {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",
              "digest":"sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b","size":1,
              "platform":{"architecture":"arm64","os":"linux","variant":"v8","os.features":["a"]}}]}
            """;
    public static final String CONFIG = """
            {"created":"2024-01-01T00:00:00Z","architecture":"amd64","os":"linux",
             "config":{"User":"app","Env":["A=1"],"Entrypoint":["/bin/sh"],"Cmd":["-c","x"],
               "ExposedPorts":{"80/tcp":{}},"Volumes":{"/data":{}},"Labels":{"k":"v"},"WorkingDir":"/"},
             "rootfs":{"type":"layers","diff_ids":["sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b"]},
             "history":[{"created_by":"x","empty_layer":true}]}
            """;

    public static byte[] runtimeConfig() throws IOException {
        try (InputStream in = JsonFuzzTest.class.getResourceAsStream("/runtime/config-full.json")) {
            return in.readAllBytes();
        }
    }

    public static byte[] mutate(byte[] in, Random r) {
        List<Byte> b = new ArrayList<>();
        for (byte x : in) {
            b.add(x);
        }
        int edits = 1 + r.nextInt(4);
        byte[] alphabet = "{}[]\":,0123456789-.eE tfnull\\".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < edits && !b.isEmpty(); i++) {
            int pos = r.nextInt(b.size());
            switch (r.nextInt(5)) {
                case 0 -> b.set(pos, (byte) r.nextInt(256));
                case 1 -> b.set(pos, alphabet[r.nextInt(alphabet.length)]);
                case 2 -> b.remove(pos);
                case 3 -> b.add(pos, alphabet[r.nextInt(alphabet.length)]);
                default -> {
                    int end = Math.min(b.size(), pos + r.nextInt(40));
                    b.subList(pos, end).clear();
                }
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    static void fuzz(byte[] seed, long rngSeed, Consumer<byte[]> parser) {
        parser.accept(seed); // the seed itself is valid
        Random r = new Random(rngSeed);
        int parsed = 0;
        for (int i = 0; i < ROUNDS; i++) {
            byte[] m = mutate(seed, r);
            try {
                parser.accept(m);
                parsed++;
            } catch (JsonException | InvalidDigestException e) {
                assertThat(e.getMessage()).isNotBlank();
            } catch (IllegalArgumentException e) {
                // record invariants (negative size, empty os...) name the value
                assertThat(e.getMessage()).isNotBlank();
            }
        }
        // Some mutants stay valid (whitespace, string content): the fuzzer explores both sides.
        assertThat(parsed).isPositive().isLessThan(ROUNDS);
    }

    @Test
    void manifests() {
        fuzz(MANIFEST.getBytes(StandardCharsets.UTF_8), 1, Manifest::parse);
    }

    @Test
    void indexes() {
        fuzz(INDEX.getBytes(StandardCharsets.UTF_8), 2, Index::parse);
    }

    @Test
    void configs() {
        fuzz(CONFIG.getBytes(StandardCharsets.UTF_8), 3, ImageConfig::parse);
    }

    @Test
    void runtimeConfigs() throws IOException {
        fuzz(runtimeConfig(), 4, Spec::parse);
    }
}
