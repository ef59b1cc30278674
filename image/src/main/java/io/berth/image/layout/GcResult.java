package io.berth.image.layout;

import io.berth.spec.Digest;
import java.util.List;

/** What a layout garbage collection removed. */
public record GcResult(List<Digest> removed, long bytesFreed, int staleIngests) {
    public GcResult {
        removed = List.copyOf(removed);
    }
}
