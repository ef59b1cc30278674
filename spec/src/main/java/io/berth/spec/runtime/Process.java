package io.berth.spec.runtime;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.ObjBuilder;
import java.util.List;
import java.util.Optional;

/**
 * The container process (config.md "Process"): {@code cwd} is REQUIRED ("MUST be an absolute path");
 * {@code args} is REQUIRED on POSIX platforms at start; the rest OPTIONAL. Members not modelled here
 * (scheduler, ioPriority, execCPUAffinity) are carried as raw JSON so they survive a round trip.
 */
public record Process(
        boolean terminal,
        Optional<ConsoleSize> consoleSize,
        User user,
        List<String> args,
        Optional<String> commandLine,
        List<String> env,
        String cwd,
        Optional<Capabilities> capabilities,
        List<Rlimit> rlimits,
        boolean noNewPrivileges,
        Optional<String> apparmorProfile,
        Optional<Integer> oomScoreAdj,
        Optional<String> selinuxLabel,
        Optional<Json> scheduler,
        Optional<Json> ioPriority,
        Optional<Json> execCPUAffinity) {

    public Process {
        args = List.copyOf(args);
        env = List.copyOf(env);
        rlimits = List.copyOf(rlimits);
    }

    public record ConsoleSize(long height, long width) {}

    /** config.md "User" (POSIX): uid, gid REQUIRED; umask, additionalGids OPTIONAL. */
    public record User(long uid, long gid, Optional<Long> umask, List<Long> additionalGids,
            Optional<String> username) {
        public User {
            additionalGids = List.copyOf(additionalGids);
        }

        public static User root() {
            return new User(0, 0, Optional.empty(), List.of(), Optional.empty());
        }

        private static long gid(Fields f, int i, Json v) {
            long g = -1;
            if (v instanceof Json.Num n) {
                try {
                    g = n.longValueExact();
                } catch (ArithmeticException e) {
                    g = -1;
                }
            }
            if (g < 0 || g > 0xFFFF_FFFFL) {
                throw f.error("additionalGids[" + i + "]", "expected a gid (0 to 4294967295)");
            }
            return g;
        }

        static User read(Fields f) {
            List<Long> gids = new java.util.ArrayList<>();
            Optional<Json> raw = f.raw("additionalGids");
            if (raw.isPresent()) {
                if (!(raw.get() instanceof Json.Arr a)) {
                    throw f.error("additionalGids", "expected an array of integers");
                }
                for (int i = 0; i < a.items().size(); i++) {
                    gids.add(gid(f, i, a.items().get(i)));
                }
            }
            return new User(f.optUint32("uid").orElse(0L), f.optUint32("gid").orElse(0L), f.optUint32("umask"), gids,
                    f.optString("username"));
        }

        Json.Obj toJson() {
            return new ObjBuilder()
                    .put("uid", uid)
                    .put("gid", gid)
                    .opt("umask", umask)
                    .nonEmptyArr("additionalGids", additionalGids.stream().map(Json::num).toList())
                    .opt("username", username)
                    .build();
        }
    }

    /** config.md "capabilities": five sets of CAP_* names. */
    public record Capabilities(List<String> bounding, List<String> effective, List<String> inheritable,
            List<String> permitted, List<String> ambient) {
        public Capabilities {
            bounding = List.copyOf(bounding);
            effective = List.copyOf(effective);
            inheritable = List.copyOf(inheritable);
            permitted = List.copyOf(permitted);
            ambient = List.copyOf(ambient);
        }

        static Capabilities read(Fields f) {
            return new Capabilities(f.strings("bounding"), f.strings("effective"), f.strings("inheritable"),
                    f.strings("permitted"), f.strings("ambient"));
        }

        Json.Obj toJson() {
            return new ObjBuilder()
                    .nonEmpty("bounding", bounding)
                    .nonEmpty("effective", effective)
                    .nonEmpty("inheritable", inheritable)
                    .nonEmpty("permitted", permitted)
                    .nonEmpty("ambient", ambient)
                    .build();
        }
    }

    /** config.md "rlimits": type (RLIMIT_*), soft and hard (uint64). */
    public record Rlimit(String type, long hard, long soft) {
        static Rlimit read(Fields f) {
            String type = f.string("type");
            if (!type.startsWith("RLIMIT_")) {
                throw f.error("type", "expected an RLIMIT_* name, found \"" + type + "\"");
            }
            return new Rlimit(type, f.longValue("hard", 0, Long.MAX_VALUE), f.longValue("soft", 0, Long.MAX_VALUE));
        }

        Json.Obj toJson() {
            return new ObjBuilder().put("type", type).put("hard", hard).put("soft", soft).build();
        }
    }

    static Process read(Fields f) {
        String cwd = f.string("cwd");
        return new Process(f.bool("terminal", false),
                f.optObject("consoleSize").map(c -> new ConsoleSize(c.longValue("height", 0, 0xFFFF_FFFFL),
                        c.longValue("width", 0, 0xFFFF_FFFFL))),
                f.optObject("user").map(User::read).orElse(User.root()),
                f.strings("args"), f.optString("commandLine"), f.strings("env"), cwd,
                f.optObject("capabilities").map(Capabilities::read), f.objects("rlimits", Rlimit::read),
                f.bool("noNewPrivileges", false), f.optString("apparmorProfile"), f.optInt("oomScoreAdj"),
                f.optString("selinuxLabel"), f.raw("scheduler"), f.raw("ioPriority"), f.raw("execCPUAffinity"));
    }

    Json.Obj toJson() {
        ObjBuilder b = new ObjBuilder();
        if (terminal) {
            b.put("terminal", true);
        }
        consoleSize.ifPresent(c -> b.put("consoleSize", new ObjBuilder().put("height", c.height())
                .put("width", c.width()).build()));
        b.put("user", user.toJson())
                .nonEmpty("args", args)
                .opt("commandLine", commandLine)
                .nonEmpty("env", env)
                .put("cwd", cwd)
                .opt("capabilities", capabilities.map(Capabilities::toJson))
                .nonEmptyArr("rlimits", rlimits.stream().map(Rlimit::toJson).toList());
        if (noNewPrivileges) {
            b.put("noNewPrivileges", true);
        }
        return b.opt("apparmorProfile", apparmorProfile)
                .opt("oomScoreAdj", oomScoreAdj)
                .opt("selinuxLabel", selinuxLabel)
                .opt("scheduler", scheduler)
                .opt("ioPriority", ioPriority)
                .opt("execCPUAffinity", execCPUAffinity)
                .build();
    }
}
