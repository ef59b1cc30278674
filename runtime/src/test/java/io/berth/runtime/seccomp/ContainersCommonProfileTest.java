package io.berth.runtime.seccomp;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.spec.json.Fields;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.runtime.Seccomp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The default profile podman and CRI-O use (Debian's golang-github-containers-common:
 * /usr/share/containers/seccomp.json, in Docker's format with archMap and includes/excludes by capability)
 * turned into config.json's form for a capability set, as podman does, then compiled by libseccomp and by
 * us. With CAP_AUDIT_WRITE missing it has overlapping conditional socket rules with different actions
 * (ERRNO(EINVAL) for a netlink-audit socket, ALLOW if the family or the protocol differs): the case where
 * libseccomp's decision tree and "first matching rule" could part. Fails when the file is missing:
 * apt-get install golang-github-containers-common.
 */
class ContainersCommonProfileTest {
    static final Path PROFILE = Path.of("/usr/share/containers/seccomp.json");

    /** Docker's format → config.json's "seccomp" for amd64 and these capabilities. */
    static Seccomp convert(Fields f, Set<String> caps) {
        List<String> arches = new ArrayList<>();
        for (Fields m : f.objects("archMap", x -> x)) {
            if (m.string("architecture").equals("SCMP_ARCH_X86_64")) {
                arches.add("SCMP_ARCH_X86_64");
                arches.addAll(m.strings("subArchitectures"));
            }
        }
        List<Seccomp.Rule> rules = new ArrayList<>();
        for (Fields r : f.objects("syscalls", x -> x)) {
            Fields inc = r.optObject("includes").orElse(null), exc = r.optObject("excludes").orElse(null);
            if (inc != null && (!caps.containsAll(inc.strings("caps"))
                    || !inc.strings("arches").isEmpty() && !inc.strings("arches").contains("amd64"))) {
                continue;
            }
            if (exc != null && (exc.strings("caps").stream().anyMatch(caps::contains)
                    || exc.strings("arches").contains("amd64"))) {
                continue;
            }
            List<Seccomp.Arg> args = r.objects("args", a -> new Seccomp.Arg((int) a.longValue("index", 0, 5),
                    a.optNumber("value").orElseThrow().toBigInteger().longValue(),
                    a.optNumber("valueTwo").map(v -> v.toBigInteger().longValue()).orElse(0L), a.string("op")));
            rules.add(new Seccomp.Rule(r.strings("names"), r.string("action"), r.optLong("errnoRet"), args));
        }
        return new Seccomp(f.string("defaultAction"), f.optLong("defaultErrnoRet"), arches, List.of(),
                Optional.empty(), Optional.empty(), rules);
    }

    @ParameterizedTest
    @ValueSource(strings = {"CAP_AUDIT_WRITE,CAP_KILL,CAP_NET_BIND_SERVICE", "", "CAP_SYS_ADMIN,CAP_SYS_PTRACE"})
    void sameAsLibseccomp(String capList) throws Throwable {
        assertThat(PROFILE).as("apt-get install golang-github-containers-common").exists();
        Set<String> caps = capList.isEmpty() ? Set.of() : Set.of(capList.split(","));
        Seccomp s = convert(JsonCodec.parseObject(Files.readAllBytes(PROFILE), PROFILE.toString()), caps);
        assertThat(s.syscalls()).hasSizeGreaterThan(5);
        List<Bpf.Insn> theirs = LibseccompDifferentialTest.libseccomp(s);
        List<Bpf.Insn> ours = SeccompCompiler.compile(s, SeccompCompilerTest.ALL).program();
        System.out.println("containers-common profile, caps [" + capList + "]: " + s.syscalls().size()
                + " rules, libseccomp " + theirs.size() + " instructions (+ runc's stub), ours " + ours.size());
        // the socket rules, exhaustively on the values they test
        for (long family : new long[] {0, 2, 16, 40, 1L << 32 | 16}) {
            for (long protocol : new long[] {0, 9, 10, 1L << 32 | 9}) {
                for (Arch a : List.of(Arch.X86_64, Arch.X32)) {
                    BpfInterpreter.Data d = BpfInterpreter.Data.of(a, a.number("socket").orElseThrow(), family, 3,
                            protocol);
                    assertThat(BpfInterpreter.run(ours, d)).as("socket(%x, 3, %x) on %s", family, protocol, a)
                            .isEqualTo(BpfInterpreter.run(theirs, d));
                }
            }
        }
        LibseccompDifferentialTest.assertSameAsLibseccomp(s, new Random(3), 20000);
    }
}
