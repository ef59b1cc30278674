package io.berth.spec.runtime;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.ObjBuilder;
import java.util.List;
import java.util.Optional;

/** config-linux.md "Seccomp": a default action, architectures, flags and syscall rules. */
public record Seccomp(String defaultAction, Optional<Long> defaultErrnoRet, List<String> architectures,
        List<String> flags, Optional<String> listenerPath, Optional<String> listenerMetadata, List<Rule> syscalls) {

    static final List<String> ACTIONS = List.of("SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
            "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY");
    static final List<String> OPS = List.of("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
            "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");

    public Seccomp {
        architectures = List.copyOf(architectures);
        flags = List.copyOf(flags);
        syscalls = List.copyOf(syscalls);
    }

    /** One rule: names REQUIRED, action REQUIRED, errnoRet and args OPTIONAL. */
    public record Rule(List<String> names, String action, Optional<Long> errnoRet, List<Arg> args) {
        public Rule {
            names = List.copyOf(names);
            args = List.copyOf(args);
        }

        static Rule read(Fields f) {
            return new Rule(f.strings("names"), checkedAction(f, "action"), f.optUint32("errnoRet"),
                    f.objects("args", Arg::read));
        }

        Json.Obj toJson() {
            return new ObjBuilder().nonEmpty("names", names).put("action", action).opt("errnoRet", errnoRet)
                    .nonEmptyArr("args", args.stream().map(Arg::toJson).toList()).build();
        }
    }

    /** An argument condition: index, value, valueTwo (uint64), op. */
    public record Arg(int index, long value, long valueTwo, String op) {
        static Arg read(Fields f) {
            String op = f.string("op");
            if (!OPS.contains(op)) {
                throw f.error("op", "unknown comparison \"" + op + "\"");
            }
            return new Arg((int) f.longValue("index", 0, 5), unsigned64(f, "value"),
                    f.has("valueTwo") ? unsigned64(f, "valueTwo") : 0, op);
        }

        Json.Obj toJson() {
            return new ObjBuilder().put("index", index).put("value", u64(value)).put("valueTwo", u64(valueTwo))
                    .put("op", op).build();
        }

        private static Json u64(long v) {
            return new Json.Num(Long.toUnsignedString(v));
        }
    }

    /**
     * A uint64 JSON number as the same 64 bits in a long. Plain digits are parsed without BigDecimal (its
     * class initialization costs a short command ~10 ms); fractions and exponents take the exact path.
     */
    private static long unsigned64(Fields f, String name) {
        if (f.raw(name).orElse(null) instanceof Json.Num n && digits(n.text())) {
            try {
                return Long.parseUnsignedLong(n.text());
            } catch (NumberFormatException e) {
                throw f.error(name, "value " + n.text() + " is not a uint64");
            }
        }
        java.math.BigDecimal d = f.optNumber(name).orElseThrow(() -> f.error(name, "required field is missing"));
        try {
            java.math.BigInteger i = d.toBigIntegerExact();
            if (i.signum() < 0 || i.bitLength() > 64) {
                throw f.error(name, "value " + d.toPlainString() + " is not a uint64");
            }
            return i.longValue();
        } catch (ArithmeticException e) {
            throw f.error(name, "expected an integer, found " + d.toPlainString());
        }
    }

    private static boolean digits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static String checkedAction(Fields f, String name) {
        String a = f.string(name);
        if (!ACTIONS.contains(a)) {
            throw f.error(name, "unknown seccomp action \"" + a + "\"");
        }
        return a;
    }

    static Seccomp read(Fields f) {
        return new Seccomp(checkedAction(f, "defaultAction"), f.optUint32("defaultErrnoRet"), f.strings("architectures"),
                f.strings("flags"), f.optString("listenerPath"), f.optString("listenerMetadata"),
                f.objects("syscalls", Rule::read));
    }

    Json.Obj toJson() {
        return new ObjBuilder()
                .put("defaultAction", defaultAction)
                .opt("defaultErrnoRet", defaultErrnoRet)
                .nonEmpty("architectures", architectures)
                .nonEmpty("flags", flags)
                .opt("listenerPath", listenerPath)
                .opt("listenerMetadata", listenerMetadata)
                .nonEmptyArr("syscalls", syscalls.stream().map(Rule::toJson).toList())
                .build();
    }
}
