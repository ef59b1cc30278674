package io.berth.cli.image;

import io.berth.cli.Args;
import io.berth.cli.OciRef;
import io.berth.cli.UsageException;
import io.berth.image.layout.OciLayout;
import io.berth.spec.Descriptor;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.ObjBuilder;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code berth image ls oci:LAYOUT}: the entries of the layout's index.json, one per line. */
final class ImageList {
    private ImageList() {}

    static void run(List<String> argv, PrintStream out) {
        Args a = Args.parse("image ls", argv, Set.of("--format"), Set.of());
        OciRef ref = OciRef.parse(a.positionals(1, "one layout oci:LAYOUT").getFirst());
        if (ref.tag().isPresent() || ref.digest().isPresent()) {
            throw new UsageException("image ls: expected a layout, not an image: " + ref);
        }
        String format = a.value("--format").orElse("table");
        List<Descriptor> entries = OciLayout.open(ref.layout()).index().manifests();
        switch (format) {
            case "table" -> {
                out.printf("%-24s %-71s %-10s %s%n", "TAG", "DIGEST", "SIZE", "MEDIA TYPE");
                for (Descriptor d : entries) {
                    out.printf("%-24s %-71s %-10d %s%n", d.refName().orElse("<none>"), d.digest(), d.size(),
                            d.mediaType().value());
                }
            }
            case "json" -> {
                List<Json> items = new ArrayList<>();
                for (Descriptor d : entries) {
                    items.add(new ObjBuilder()
                            .put("tag", d.refName().orElse(""))
                            .put("digest", d.digest().toString())
                            .put("mediaType", d.mediaType().value())
                            .put("size", d.size())
                            .build());
                }
                byte[] bytes = JsonCodec.writePretty(Json.arr(items));
                out.write(bytes, 0, bytes.length);
            }
            default -> throw new UsageException("image ls: --format must be table or json, not \"" + format + "\"");
        }
    }
}
