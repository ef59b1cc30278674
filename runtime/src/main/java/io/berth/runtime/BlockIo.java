package io.berth.runtime;

import io.berth.spec.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * config-linux.md "Block IO": {@code linux.resources.blockIO} as the lines to write into the container's
 * blkio (cgroup v1) or io (cgroup2) files, one line per device where the kernel takes one per write.
 *
 * <p>v1: {@code blkio.weight}, {@code blkio.leaf_weight}, {@code blkio.weight_device},
 * {@code blkio.leaf_weight_device} ("major:minor weight") and {@code blkio.throttle.{read,write}_{bps,iops}_device}
 * ("major:minor rate"); with the BFQ scheduler the weights are {@code blkio.bfq.weight[_device]}. cgroup2:
 * {@code io.weight} ("default N" and "major:minor N", the v1 range 10-1000 mapped onto 1-10000 as runc
 * does; {@code io.bfq.weight} takes v1's values as they are) and {@code io.max} ("major:minor rbps=N"
 * and wbps, riops, wiops). A value this host has no file for is an error naming the file, not ignored.
 */
final class BlockIo {
    /** One write: the file (relative to the container's cgroup directory) and the line. */
    record Write(List<String> files, String field, String line) {}

    private BlockIo() {}

    static List<Write> v1(Json blockIO) {
        Json.Obj o = obj(blockIO, "linux.resources.blockIO");
        List<Write> out = new ArrayList<>();
        weight(o, "weight").ifPresent(w -> out.add(new Write(List.of("blkio.weight", "blkio.bfq.weight"), "weight",
                String.valueOf(w))));
        weight(o, "leafWeight").ifPresent(w -> out.add(new Write(List.of("blkio.leaf_weight"), "leafWeight",
                String.valueOf(w))));
        for (Json.Obj d : devices(o, "weightDevice")) {
            String dev = device(d, "weightDevice");
            weight(d, "weight").ifPresent(w -> out.add(new Write(List.of("blkio.weight_device", "blkio.bfq.weight_device"),
                    "weightDevice", dev + " " + w)));
            weight(d, "leafWeight").ifPresent(w -> out.add(new Write(List.of("blkio.leaf_weight_device"),
                    "weightDevice.leafWeight", dev + " " + w)));
        }
        throttle(o, "throttleReadBpsDevice", "blkio.throttle.read_bps_device", out);
        throttle(o, "throttleWriteBpsDevice", "blkio.throttle.write_bps_device", out);
        throttle(o, "throttleReadIOPSDevice", "blkio.throttle.read_iops_device", out);
        throttle(o, "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", out);
        return out;
    }

    static List<Write> v2(Json blockIO) {
        Json.Obj o = obj(blockIO, "linux.resources.blockIO");
        List<Write> out = new ArrayList<>();
        weight(o, "weight").ifPresent(w -> out.add(new Write(List.of("io.weight"), "weight", "default " + ioWeight(w))));
        if (weight(o, "leafWeight").isPresent()) {
            throw new RuntimeError("linux.resources.blockIO.leafWeight: cgroup2 has no leaf weight");
        }
        for (Json.Obj d : devices(o, "weightDevice")) {
            String dev = device(d, "weightDevice");
            weight(d, "weight").ifPresent(w -> out.add(new Write(List.of("io.weight"), "weightDevice",
                    dev + " " + ioWeight(w))));
            if (weight(d, "leafWeight").isPresent()) {
                throw new RuntimeError("linux.resources.blockIO.weightDevice.leafWeight: cgroup2 has no leaf weight");
            }
        }
        for (String[] t : new String[][] {{"throttleReadBpsDevice", "rbps"}, {"throttleWriteBpsDevice", "wbps"},
                {"throttleReadIOPSDevice", "riops"}, {"throttleWriteIOPSDevice", "wiops"}}) {
            for (Json.Obj d : devices(o, t[0])) {
                long rate = num(d, "rate").orElseThrow(() -> missing(t[0], "rate"));
                // 0 means "no limit" in the OCI config, "max" in io.max
                out.add(new Write(List.of("io.max"), t[0], device(d, t[0]) + " " + t[1] + "=" + (rate == 0 ? "max" : rate)));
            }
        }
        return out;
    }

    /** runc's conversion of a v1 blkio weight (10-1000) to a cgroup2 io.weight (1-10000). */
    static long ioWeight(long v1) {
        return v1 == 0 ? 0 : 1 + (v1 - 10) * 9999 / 990;
    }

    private static void throttle(Json.Obj o, String field, String file, List<Write> out) {
        for (Json.Obj d : devices(o, field)) {
            long rate = num(d, "rate").orElseThrow(() -> missing(field, "rate"));
            out.add(new Write(List.of(file), field, device(d, field) + " " + rate));
        }
    }

    private static String device(Json.Obj d, String field) {
        long major = num(d, "major").orElseThrow(() -> missing(field, "major"));
        long minor = num(d, "minor").orElseThrow(() -> missing(field, "minor"));
        return major + ":" + minor;
    }

    private static RuntimeError missing(String field, String member) {
        return new RuntimeError("linux.resources.blockIO." + field + ": an entry has no " + member);
    }

    private static List<Json.Obj> devices(Json.Obj o, String field) {
        Optional<Json> v = o.get(field).filter(j -> !(j instanceof Json.Null));
        if (v.isEmpty()) {
            return List.of();
        }
        if (!(v.get() instanceof Json.Arr a)) {
            throw new RuntimeError("linux.resources.blockIO." + field + ": not an array");
        }
        List<Json.Obj> out = new ArrayList<>();
        for (Json item : a.items()) {
            out.add(obj(item, "linux.resources.blockIO." + field + " entry"));
        }
        return out;
    }

    private static Json.Obj obj(Json j, String what) {
        if (!(j instanceof Json.Obj o)) {
            throw new RuntimeError(what + ": not an object");
        }
        return o;
    }

    /** A weight; 0 is "not set" (runc writes none then). */
    private static Optional<Long> weight(Json.Obj o, String name) {
        return num(o, name).filter(w -> w != 0);
    }

    private static Optional<Long> num(Json.Obj o, String name) {
        Optional<Json> v = o.get(name).filter(j -> !(j instanceof Json.Null));
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (v.get() instanceof Json.Num n) {
            try {
                long x = n.longValueExact();
                if (x >= 0) {
                    return Optional.of(x);
                }
            } catch (ArithmeticException e) {
                // reported below
            }
        }
        throw new RuntimeError("linux.resources.blockIO: " + name + " must be a non-negative integer");
    }
}
