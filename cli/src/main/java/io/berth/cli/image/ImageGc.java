package io.berth.cli.image;

import io.berth.cli.Args;
import io.berth.cli.OciRef;
import io.berth.cli.UsageException;
import io.berth.image.layout.GcResult;
import io.berth.image.layout.OciLayout;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** {@code berth image gc oci:LAYOUT}: removes blobs nothing in index.json reaches. */
final class ImageGc {
    private ImageGc() {}

    static void run(List<String> argv, PrintStream out) {
        Args a = Args.parse("image gc", argv, Set.of(), Set.of());
        OciRef ref = OciRef.parse(a.positionals(1, "one layout oci:LAYOUT").getFirst());
        if (ref.tag().isPresent() || ref.digest().isPresent()) {
            throw new UsageException("image gc: expected a layout, not an image: " + ref);
        }
        GcResult r = OciLayout.open(ref.layout()).gc();
        out.println("removed " + r.removed().size() + " blobs, " + r.bytesFreed() + " bytes");
    }
}
