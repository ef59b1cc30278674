package io.berth.cli.image;

import io.berth.cli.Args;
import io.berth.cli.OciRef;
import io.berth.image.layout.OciLayout;
import io.berth.image.layout.ResolvedImage;
import io.berth.spec.Descriptor;
import io.berth.spec.Platform;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.ObjBuilder;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code berth image inspect}: the image's manifest, config and (when the name points at one) index,
 * as one JSON object; {@code --manifest}, {@code --config} or {@code --index} print that document's
 * stored bytes exactly.
 */
final class ImageInspect {
    /** Documents larger than this are not JSON we will print. */
    static final long MAX_JSON = 4 << 20;

    private ImageInspect() {}

    static void run(List<String> argv, PrintStream out) {
        Args a = Args.parse("image inspect", argv, Set.of("--platform"), Set.of("--manifest", "--config", "--index"));
        OciRef ref = OciRef.image(a.positionals(1, "one image oci:LAYOUT:TAG").getFirst());
        Platform platform = a.value("--platform").map(p -> ImageCreate.platform("image inspect", p))
                .orElseGet(Platform::host);
        OciLayout layout = OciLayout.open(ref.layout());
        ResolvedImage img = layout.resolve(ref.name(), platform);
        if (a.flag("--manifest")) {
            out.write(raw(layout, img.manifestDescriptor()), 0, (int) img.manifestDescriptor().size());
            return;
        }
        if (a.flag("--config")) {
            out.write(raw(layout, img.manifest().config()), 0, (int) img.manifest().config().size());
            return;
        }
        if (a.flag("--index")) {
            Descriptor idx = img.indexDescriptor().orElseThrow(() -> new io.berth.cli.UsageException(
                    "image inspect: " + ref + " names a manifest, not an index"));
            out.write(raw(layout, idx), 0, (int) idx.size());
            return;
        }
        ObjBuilder b = new ObjBuilder()
                .put("Name", ref.toString())
                .put("Digest", img.manifestDescriptor().digest().toString())
                .put("MediaType", img.manifestDescriptor().mediaType().value())
                .put("Platform", img.config().platform().toString());
        img.indexDescriptor().ifPresent(idx -> b.put("IndexDigest", idx.digest().toString())
                .put("Index", JsonCodec.parse(raw(layout, idx), "index")));
        b.put("Manifest", JsonCodec.parse(raw(layout, img.manifestDescriptor()), "manifest"));
        b.put("Config", JsonCodec.parse(raw(layout, img.manifest().config()), "config"));
        byte[] doc = JsonCodec.writePretty(b.build());
        out.write(doc, 0, doc.length);
    }

    private static byte[] raw(OciLayout layout, Descriptor d) {
        return layout.blobs().read(d.digest(), MAX_JSON);
    }
}
