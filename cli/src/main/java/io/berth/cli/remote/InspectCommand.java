package io.berth.cli.remote;

import io.berth.cli.Args;
import io.berth.cli.UsageException;
import io.berth.client.registry.Credentials;
import io.berth.client.registry.RegistryClient;
import io.berth.client.transport.ImageName;
import io.berth.spec.Descriptor;
import io.berth.spec.Index;
import io.berth.spec.Manifest;
import io.berth.spec.Platform;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.ObjBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/**
 * {@code berth inspect docker://...}: the digest, media type, manifest (or index and the platform's
 * manifest) and config of a registry image; {@code --tags} lists the repository's tags (all pages);
 * {@code --raw} prints the manifest's bytes exactly.
 */
public final class InspectCommand {
    private InspectCommand() {}

    public static void run(List<String> argv, PrintStream out) {
        Args a = Args.parse("inspect", argv, Set.of("--platform"), Set.of("--tags", "--raw", "--insecure",
                "--tls-verify"));
        String s = a.positionals(1, "an image reference").getFirst();
        if (s.startsWith("oci:")) {
            List<String> rest = new java.util.ArrayList<>(argv);
            io.berth.cli.image.ImageCommand.run(prepend("inspect", rest), out);
            return;
        }
        ImageName.Registry name;
        try {
            name = LocalStore.registry(s);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        String host = name.reference().registry();
        boolean plain = a.flag("--insecure") || a.value("--tls-verify").filter("false"::equals).isPresent()
                || RegistryClient.isLoopback(host);
        RegistryClient client = new RegistryClient(host, new RegistryClient.Options(plain,
                Credentials.lookup(host, Credentials.files(System.getenv())), java.time.Duration.ofSeconds(60)));
        String repo = name.reference().repository();
        if (a.flag("--tags")) {
            client.tags(repo).forEach(out::println);
            return;
        }
        String ref = name.reference().manifestReference();
        RegistryClient.Manifested top = client.getManifest(repo, ref).orElseThrow(() -> new io.berth.client.ClientException(
                "image " + name + " not found (MANIFEST_UNKNOWN)"));
        if (a.flag("--raw")) {
            out.write(top.bytes(), 0, top.bytes().length);
            return;
        }
        ObjBuilder b = new ObjBuilder().put("Name", name.toString()).put("Digest", top.digest().toString())
                .put("MediaType", top.mediaType().value());
        RegistryClient.Manifested manifest = top;
        if (top.mediaType().isIndex()) {
            b.put("Index", JsonCodec.parse(top.bytes(), "index"));
            Platform want = a.value("--platform").map(Platform::parse).orElseGet(Platform::host);
            Descriptor chosen = Index.parse(top.bytes()).manifests().stream()
                    .filter(m -> m.platform().map(p -> p.matches(want)).orElse(false)).findFirst()
                    .orElseThrow(() -> new io.berth.client.ClientException("image " + name + ": no manifest for "
                            + want));
            manifest = client.getManifest(repo, chosen.digest().toString()).orElseThrow();
            b.put("ManifestDigest", manifest.digest().toString());
        }
        Manifest m = Manifest.parse(manifest.bytes());
        b.put("Manifest", JsonCodec.parse(manifest.bytes(), "manifest"));
        try (InputStream in = client.getBlob(repo, m.config(), true)) {
            ByteArrayOutputStream cfg = new ByteArrayOutputStream();
            in.transferTo(cfg);
            b.put("Config", JsonCodec.parse(cfg.toByteArray(), "config"));
        } catch (IOException e) {
            throw new UncheckedIOException("get config of " + name, e);
        }
        Json doc = b.build();
        byte[] bytes = JsonCodec.writePretty(doc);
        out.write(bytes, 0, bytes.length);
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> l = new java.util.ArrayList<>();
        l.add(first);
        l.addAll(rest);
        return l;
    }
}
