package io.berth.registry.auth;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.JsonException;
import io.berth.spec.json.ObjBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Bearer tokens: JWTs (RFC 7519) signed with HS256, carrying the granted scopes in an {@code access}
 * claim ({@code [{"type":"repository","name":"app","actions":["pull","push"]}]}) as Docker's token
 * format does. The key is a file in the registry's data directory, so every server over the same
 * storage accepts the others' tokens.
 */
public final class Tokens {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final String HEADER = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    private final byte[] key;
    private final String service;
    private final Duration ttl;

    public Tokens(byte[] key, String service, Duration ttl) {
        this.key = key.clone();
        this.service = service;
        this.ttl = ttl;
    }

    /** Loads the signing key from {@code file}, creating a random 256-bit key there first if needed. */
    public static byte[] loadOrCreateKey(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                byte[] k = new byte[32];
                new SecureRandom().nextBytes(k);
                Path t = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID());
                Files.write(t, k);
                try {
                    // no REPLACE_EXISTING: when two servers race, the first key wins and both read it
                    Files.move(t, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException e) {
                    Files.deleteIfExists(t);
                }
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("token key " + file, e);
        }
    }

    public String service() {
        return service;
    }

    public Duration ttl() {
        return ttl;
    }

    /** Issues a token for {@code subject} (empty for anonymous) granting {@code scopes}. */
    public String issue(Optional<String> subject, List<Scope> scopes) {
        Instant now = Instant.now();
        List<Json> access = new ArrayList<>();
        for (Scope s : scopes) {
            List<String> actions = s.type().equals(Scope.REGISTRY) ? List.of("*")
                    : s.actions().stream().sorted().map(Action::scopeName).toList();
            access.add(new ObjBuilder().put("type", s.type()).put("name", s.name()).put("actions", Json.strings(actions)).build());
        }
        Json claims = new ObjBuilder()
                .put("iss", service)
                .put("sub", subject.orElse(""))
                .put("aud", service)
                .put("exp", now.plus(ttl).getEpochSecond())
                .put("nbf", now.getEpochSecond() - 1)
                .put("iat", now.getEpochSecond())
                .put("jti", UUID.randomUUID().toString())
                .put("access", Json.arr(access))
                .build();
        String signingInput = HEADER + "." + B64.encodeToString(JsonCodec.write(claims));
        return signingInput + "." + B64.encodeToString(hmac(signingInput));
    }

    /** What a valid token says: its subject (empty for anonymous) and the scopes it grants. */
    public record Verified(Optional<String> subject, List<Scope> scopes) {}

    /** The subject and scopes of a valid, unexpired token of this service; empty if it is not one. */
    public Optional<Verified> verify(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || !parts[0].equals(HEADER)) {
            return Optional.empty();
        }
        byte[] sig;
        try {
            sig = B64D.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(sig, hmac(parts[0] + "." + parts[1]))) {
            return Optional.empty();
        }
        try {
            Fields f = JsonCodec.parseObject(B64D.decode(parts[1]), "token");
            long now = Instant.now().getEpochSecond();
            if (f.longValue("exp", 0, Long.MAX_VALUE) < now || f.longValue("nbf", 0, Long.MAX_VALUE) > now
                    || !f.string("aud").equals(service)) {
                return Optional.empty();
            }
            List<Scope> out = new ArrayList<>();
            for (Fields a : f.objects("access", x -> x)) {
                Set<Action> actions = EnumSet.noneOf(Action.class);
                for (String s : a.strings("actions")) {
                    Action.parse(s).ifPresent(actions::add);
                }
                String type = a.string("type");
                if (type.equals(Scope.REGISTRY)) {
                    out.add(Scope.CATALOG);
                } else if (!actions.isEmpty()) {
                    out.add(new Scope(type, a.string("name"), actions));
                }
            }
            String sub = f.optString("sub").orElse("");
            return Optional.of(new Verified(sub.isEmpty() ? Optional.empty() : Optional.of(sub), List.copyOf(out)));
        } catch (JsonException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private byte[] hmac(String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 missing from the JDK", e);
        }
    }
}
