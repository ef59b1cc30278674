package io.berth.spec;

/** How a layer's tar stream is compressed (layer.md, media types). */
public enum Compression {
    NONE,
    GZIP,
    ZSTD
}
