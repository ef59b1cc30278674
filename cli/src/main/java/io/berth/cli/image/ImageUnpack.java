package io.berth.cli.image;

import io.berth.cli.Args;
import io.berth.cli.OciRef;
import io.berth.image.convert.BundleConfig;
import io.berth.image.layout.OciLayout;
import io.berth.image.layout.ResolvedImage;
import io.berth.image.unpack.UnpackOptions;
import io.berth.spec.Platform;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code berth image unpack oci:LAYOUT:TAG BUNDLE}: the image's layers into {@code BUNDLE/rootfs}
 * (layer.md, applied in order) and its config converted into {@code BUNDLE/config.json}
 * (conversion.md).
 */
final class ImageUnpack {
    private ImageUnpack() {}

    static void run(List<String> argv, PrintStream out) {
        Args a = Args.parse("image unpack", argv, Set.of("--platform"), Set.of("--force"));
        List<String> pos = a.positionals(2, "an image oci:LAYOUT:TAG and a BUNDLE_DIR");
        OciRef ref = OciRef.image(pos.get(0));
        Path bundle = Path.of(pos.get(1));
        Platform platform = a.value("--platform").map(p -> ImageCreate.platform("image unpack", p))
                .orElseGet(Platform::host);
        OciLayout layout = OciLayout.open(ref.layout());
        ResolvedImage img = layout.resolve(ref.name(), platform);
        BundleConfig.unpackBundle(layout.blobs(), img, bundle,
                UnpackOptions.defaults().withReplaceExisting(a.flag("--force")));
        out.println(bundle);
    }
}
