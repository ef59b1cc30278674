package io.berth.spec;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.ObjBuilder;

/**
 * The {@code oci-layout} marker file of an image layout (image-layout.md "oci-layout file"):
 * {@code {"imageLayoutVersion": "1.0.0"}}.
 */
public record ImageLayout(String imageLayoutVersion) {
    public static final String FILE = "oci-layout";
    public static final String INDEX_FILE = "index.json";
    public static final String BLOBS_DIR = "blobs";
    public static final String VERSION = "1.0.0";

    public static ImageLayout current() {
        return new ImageLayout(VERSION);
    }

    public static ImageLayout parse(byte[] bytes) {
        Fields f = JsonCodec.parseObject(bytes, FILE);
        return new ImageLayout(f.string("imageLayoutVersion"));
    }

    public Json.Obj toJson() {
        return new ObjBuilder().put("imageLayoutVersion", imageLayoutVersion).build();
    }

    public byte[] toBytes() {
        return JsonCodec.write(toJson());
    }
}
