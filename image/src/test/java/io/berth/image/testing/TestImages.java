package io.berth.image.testing;

import io.berth.image.layout.OciLayout;
import io.berth.image.layout.ResolvedImage;
import io.berth.spec.Compression;
import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.ImageConfig;
import io.berth.spec.Manifest;
import io.berth.spec.MediaType;
import io.berth.spec.Platform;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Images made from raw tar streams (hostile ones included) in a layout, for unpack tests. */
public final class TestImages {
    private TestImages() {}

    /** Stores each tar (gzip-compressed) as a layer and tags an image "t"; returns it resolved. */
    public static ResolvedImage fromTars(Path layoutDir, byte[]... tars) {
        OciLayout layout = OciLayout.openOrCreate(layoutDir);
        ImageConfig config = ImageConfig.empty(Platform.parse("linux/amd64"))
                .withConfig(ImageConfig.Config.EMPTY.withCmd(List.of("/bin/sh")));
        List<Descriptor> layers = new ArrayList<>();
        for (byte[] tar : tars) {
            byte[] gz = TarBuilder.gzip(tar);
            layout.blobs().put(gz);
            layers.add(Descriptor.forContent(MediaType.ociLayer(Compression.GZIP), gz));
            config = config.withLayer(Digest.sha256(tar), new ImageConfig.History(Optional.empty(),
                    Optional.of("test"), Optional.empty(), Optional.empty(), false));
        }
        Descriptor cfg = layout.putConfig(config);
        Descriptor m = layout.putManifest(Manifest.oci(cfg, layers, Map.of()));
        layout.tag("t", m);
        return layout.resolve("t", Platform.parse("linux/amd64"));
    }
}
