package io.berth.spec.runtime;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.ObjBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cgroup resources (config-linux.md "Control groups"). blockIO, network and rdma are carried as raw
 * JSON until the runtime applies them.
 */
public record Resources(
        List<DeviceRule> devices,
        Optional<Memory> memory,
        Optional<Cpu> cpu,
        Optional<Long> pidsLimit,
        Optional<Json> blockIO,
        List<HugepageLimit> hugepageLimits,
        Optional<Json> network,
        Optional<Json> rdma,
        Map<String, String> unified) {

    public Resources {
        devices = List.copyOf(devices);
        hugepageLimits = List.copyOf(hugepageLimits);
        unified = Map.copyOf(unified);
    }

    /** "Allowed Device list": allow REQUIRED; type a|c|b; access of r, w, m. */
    public record DeviceRule(boolean allow, Optional<String> type, Optional<Long> major, Optional<Long> minor,
            Optional<String> access) {
        static DeviceRule read(Fields f) {
            if (!f.optBool("allow").isPresent()) {
                throw f.error("allow", "required field is missing");
            }
            Optional<String> type = f.optString("type");
            if (type.isPresent() && !List.of("a", "c", "b").contains(type.get())) {
                throw f.error("type", "must be a, c or b, found \"" + type.get() + "\"");
            }
            Optional<String> access = f.optString("access");
            if (access.isPresent() && !access.get().matches("[rwm]*")) {
                throw f.error("access", "must be made of r, w and m, found \"" + access.get() + "\"");
            }
            return new DeviceRule(f.bool("allow", false), type, f.optLong("major"), f.optLong("minor"), access);
        }

        Json.Obj toJson() {
            return new ObjBuilder().put("allow", allow).opt("type", type).opt("major", major).opt("minor", minor)
                    .opt("access", access).build();
        }
    }

    /** "Memory": limits in bytes (-1 for unlimited). */
    public record Memory(Optional<Long> limit, Optional<Long> reservation, Optional<Long> swap, Optional<Long> kernel,
            Optional<Long> kernelTCP, Optional<Long> swappiness, Optional<Boolean> disableOOMKiller,
            Optional<Boolean> useHierarchy, Optional<Boolean> checkBeforeUpdate) {
        static Memory read(Fields f) {
            return new Memory(f.optLong("limit"), f.optLong("reservation"), f.optLong("swap"), f.optLong("kernel"),
                    f.optLong("kernelTCP"), f.optLong("swappiness", 0, 100), f.optBool("disableOOMKiller"),
                    f.optBool("useHierarchy"), f.optBool("checkBeforeUpdate"));
        }

        Json.Obj toJson() {
            return new ObjBuilder().opt("limit", limit).opt("reservation", reservation).opt("swap", swap)
                    .opt("kernel", kernel).opt("kernelTCP", kernelTCP).opt("swappiness", swappiness)
                    .opt("disableOOMKiller", disableOOMKiller).opt("useHierarchy", useHierarchy)
                    .opt("checkBeforeUpdate", checkBeforeUpdate).build();
        }
    }

    /** "CPU". */
    public record Cpu(Optional<Long> shares, Optional<Long> quota, Optional<Long> burst, Optional<Long> period,
            Optional<Long> realtimeRuntime, Optional<Long> realtimePeriod, Optional<String> cpus,
            Optional<String> mems, Optional<Long> idle) {
        static Cpu read(Fields f) {
            return new Cpu(f.optLong("shares"), f.optLong("quota"), f.optLong("burst"), f.optLong("period"),
                    f.optLong("realtimeRuntime"), f.optLong("realtimePeriod"), f.optString("cpus"),
                    f.optString("mems"), f.optLong("idle"));
        }

        Json.Obj toJson() {
            return new ObjBuilder().opt("shares", shares).opt("quota", quota).opt("burst", burst).opt("period", period)
                    .opt("realtimeRuntime", realtimeRuntime).opt("realtimePeriod", realtimePeriod).opt("cpus", cpus)
                    .opt("mems", mems).opt("idle", idle).build();
        }
    }

    /** "Huge page limits". */
    public record HugepageLimit(String pageSize, long limit) {
        static HugepageLimit read(Fields f) {
            return new HugepageLimit(f.string("pageSize"), f.longValue("limit", 0, Long.MAX_VALUE));
        }

        Json.Obj toJson() {
            return new ObjBuilder().put("pageSize", pageSize).put("limit", limit).build();
        }
    }

    /** A LinuxResources object on its own, as runc's {@code update --resources FILE} reads it. */
    public static Resources parse(byte[] bytes) {
        return read(io.berth.spec.json.JsonCodec.parseObject(bytes, "resources"));
    }

    static Resources read(Fields f) {
        return new Resources(f.objects("devices", DeviceRule::read), f.optObject("memory").map(Memory::read),
                f.optObject("cpu").map(Cpu::read),
                f.optObject("pids").map(p -> p.optLong("limit").orElseThrow(() -> p.error("limit",
                        "required field is missing"))),
                f.raw("blockIO"), f.objects("hugepageLimits", HugepageLimit::read), f.raw("network"), f.raw("rdma"),
                f.stringMap("unified"));
    }

    Json.Obj toJson() {
        return new ObjBuilder()
                .nonEmptyArr("devices", devices.stream().map(DeviceRule::toJson).toList())
                .opt("memory", memory.map(Memory::toJson))
                .opt("cpu", cpu.map(Cpu::toJson))
                .opt("pids", pidsLimit.map(l -> new ObjBuilder().put("limit", l).build()))
                .opt("blockIO", blockIO)
                .nonEmptyArr("hugepageLimits", hugepageLimits.stream().map(HugepageLimit::toJson).toList())
                .opt("network", network)
                .opt("rdma", rdma)
                .nonEmpty("unified", unified)
                .build();
    }
}
