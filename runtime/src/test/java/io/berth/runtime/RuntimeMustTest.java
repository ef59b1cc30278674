package io.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.berth.runtime.Bundles.Result;
import io.berth.spec.json.JsonCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per MUST of the runtime-spec's runtime.md that a runtime command can show, quoted above each
 * test, through the berth-runtime command on busybox bundles. The JSON documents berth-runtime prints are
 * checked against the spec's own schemas (src/test/resources/runtime-spec-schema). Needs root and
 * busybox-static (fails, never skips, without them).
 */
class RuntimeMustTest {
    /** Container ids carry the JVM's pid: the default cgroup /berth/<id> is host-wide, shared with other runs. */
    private static final String P = ProcessHandle.current().pid() + "-";

    @TempDir
    Path tmp;

    static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4,
            b -> b.schemas(RuntimeMustTest::schema));

    /** Answers a schema's relative $ref (defs.json, config-linux.json...) from the copied files. */
    static String schema(String uri) {
        String name = uri.substring(uri.lastIndexOf('/') + 1);
        int hash = name.indexOf('#');
        if (hash >= 0) {
            name = name.substring(0, hash);
        }
        try (InputStream in = RuntimeMustTest.class.getResourceAsStream("/runtime-spec-schema/" + name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<com.networknt.schema.Error> validate(String schemaFile, String doc) {
        Schema s = SCHEMAS.getSchema(schema("x/" + schemaFile), InputFormat.JSON);
        return s.validate(doc, InputFormat.JSON);
    }

    @BeforeAll
    static void requirements() {
        Bundles.requireRootAndBusybox();
    }

    private Path root() {
        return tmp.resolve("root");
    }

    private Result rt(String... args) throws Exception {
        return Bundles.berth(root(), args);
    }

    private String status(String id) throws Exception {
        Result r = rt("state", id);
        assertThat(r.code()).as(r.err()).isZero();
        return JsonCodec.parseObject(r.out().getBytes(), "state").string("status");
    }

    private void awaitStatus(String id, String want) throws Exception {
        for (int i = 0; i < 500 && !status(id).equals(want); i++) {
            Thread.sleep(10);
        }
        assertThat(status(id)).isEqualTo(want);
    }

    private static void ok(Result r) {
        assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    }

    private static void fails(Result r, String message) {
        assertThat(r.code()).as("must fail; stdout %s", r.out()).isNotZero();
        assertThat(r.err()).contains(message);
    }

    // "When serialized in JSON, the format MUST adhere to the JSON Schema schema/state-schema.json."
    // "This operation MUST return the state of a container as specified in the State section."
    @Test
    void stateAdheresToTheSchemaInEveryStatus() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sleep", "100"));
        Bundles.edit(b, "\"ociVersion\"", "\"annotations\": {\"org.example.k\": \"v\"}, \"ociVersion\"");
        ok(rt("create", "--bundle", b.toString(), P + "s1"));
        for (String want : List.of("created", "running", "stopped")) {
            if (want.equals("running")) {
                ok(rt("start", P + "s1"));
            } else if (want.equals("stopped")) {
                ok(rt("kill", P + "s1", "KILL"));
                awaitStatus(P + "s1", "stopped");
            }
            Result st = rt("state", P + "s1");
            ok(st);
            assertThat(validate("state-schema.json", st.out())).as(st.out()).isEmpty();
            var f = JsonCodec.parseObject(st.out().getBytes(), "state");
            assertThat(f.string("status")).isEqualTo(want);
            assertThat(f.string("id")).isEqualTo(P + "s1");
            assertThat(f.string("bundle")).isEqualTo(b.toString());
            assertThat(st.out()).contains("\"org.example.k\": \"v\"");
            if (!want.equals("stopped")) {
                assertThat(f.optLong("pid").orElseThrow()).as("pid while %s", want).isPositive();
            }
        }
        ok(rt("delete", P + "s1"));
    }

    // "This operation MUST generate an error if it is not provided the ID of a container. Attempting to
    // query a container that does not exist MUST generate an error."
    @Test
    void stateWithoutIdOrOfAMissingContainerFails() throws Exception {
        assertThat(rt("state").code()).isNotZero();
        fails(rt("state", "nothere"), "does not exist");
    }

    // "This operation MUST generate an error if it is not provided a path to the bundle and the container ID"
    // "If the ID provided is not unique ... or is not valid in any other way, the implementation MUST
    // generate an error and a new container MUST NOT be created."
    @Test
    void createNeedsAValidUniqueId() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sleep", "100"));
        assertThat(rt("create", "--bundle", b.toString()).code()).isNotZero();
        assertThat(rt("create", "--bundle", tmp.resolve("no-such-bundle").toString(), P + "x1").code()).isNotZero();
        fails(rt("state", P + "x1"), "does not exist");
        for (String bad : List.of("../escape", "a/b", ".hidden", "")) {
            assertThat(rt("create", "--bundle", b.toString(), bad).code()).as("id %s", bad).isNotZero();
        }
        assertThat(tmp.resolve("escape")).doesNotExist();
        ok(rt("create", "--bundle", b.toString(), P + "u1"));
        String before = rt("state", P + "u1").out();
        fails(rt("create", "--bundle", b.toString(), P + "u1"), "already exists");
        assertThat(rt("state", P + "u1").out()).as("the first container is untouched").isEqualTo(before);
        ok(rt("delete", "--force", P + "u1"));
    }

    // "If the runtime cannot apply a property as specified in the configuration, it MUST generate an error and
    // a new container MUST NOT be created." and "generating an error MUST leave the state of the environment
    // as if the operation were never attempted": no state entry, no cgroup left behind.
    @Test
    void aPropertyThatCannotBeAppliedLeavesNothing() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("true"));
        Bundles.edit(b, "\"mounts\": [", "\"mounts\": [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \""
                + tmp.resolve("missing-source") + "\", \"options\": [\"bind\"]},");
        Result r = rt("create", "--bundle", b.toString(), P + "bad-mount");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("missing-source");
        fails(rt("state", P + "bad-mount"), "does not exist");
        assertThat(root().resolve(P + "bad-mount")).doesNotExist();
        assertThat(Path.of("/sys/fs/cgroup/pids/berth/" + P + "bad-mount")).doesNotExist();
        assertThat(Path.of("/sys/fs/cgroup/unified/berth/" + P + "bad-mount")).doesNotExist();
    }

    // "process.args MUST NOT be applied until triggered by the start operation." / "Any updates to
    // config.json after this step MUST NOT affect the container."
    @Test
    void argsRunOnlyAtStartAndLaterConfigEditsDoNotMatter() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c", "echo original > /out/ran"));
        Bundles.edit(b, "\"mounts\": [", "\"mounts\": [{\"destination\": \"/out\", \"type\": \"bind\", \"source\": \""
                + out + "\", \"options\": [\"rbind\"]},");
        ok(rt("create", "--bundle", b.toString(), P + "a1"));
        Thread.sleep(200);
        assertThat(out.resolve("ran")).as("nothing ran before start").doesNotExist();
        Bundles.edit(b, "echo original", "echo edited");
        ok(rt("start", P + "a1"));
        awaitStatus(P + "a1", "stopped");
        assertThat(Files.readString(out.resolve("ran"))).isEqualTo("original\n");
        ok(rt("delete", P + "a1"));
    }

    // "Attempting to start a container that is not created MUST have no effect on the container and MUST
    // generate an error." / "This operation MUST generate an error if it is not provided the container ID."
    @Test
    void startOfAContainerNotCreatedFailsWithoutEffect() throws Exception {
        assertThat(rt("start").code()).isNotZero();
        fails(rt("start", "nothere"), "does not exist");
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sleep", "100"));
        ok(rt("create", "--bundle", b.toString(), P + "st1"));
        ok(rt("start", P + "st1"));
        String running = rt("state", P + "st1").out();
        fails(rt("start", P + "st1"), "not created");
        assertThat(rt("state", P + "st1").out()).isEqualTo(running);
        ok(rt("kill", P + "st1", "9"));
        awaitStatus(P + "st1", "stopped");
        fails(rt("start", P + "st1"), "not created");
        assertThat(status(P + "st1")).isEqualTo("stopped");
        ok(rt("delete", P + "st1"));
    }

    // "This operation MUST generate an error if process was not set."
    @Test
    void withoutProcessThereIsNothingToStart() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("true"));
        String config = Files.readString(b.resolve("config.json"));
        var tree = (io.berth.spec.json.Json.Obj) JsonCodec.parse(config.getBytes(), "config");
        var members = new java.util.LinkedHashMap<>(tree.members());
        members.remove("process");
        Files.write(b.resolve("config.json"), JsonCodec.writePretty(new io.berth.spec.json.Json.Obj(members)));
        Result c = rt("create", "--bundle", b.toString(), P + "np");
        if (c.code() == 0) {
            fails(rt("start", P + "np"), "process");
            ok(rt("delete", "--force", P + "np"));
        } else {
            assertThat(c.err()).contains("process");
            fails(rt("state", P + "np"), "does not exist");
        }
    }

    // "Attempting to send a signal to a container that is neither created nor running MUST have no effect
    // on the container and MUST generate an error." / "This operation MUST send the specified signal to the
    // container process."
    @Test
    void killSendsTheSignalOnlyToALiveContainer() throws Exception {
        assertThat(rt("kill").code()).isNotZero();
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c",
                "trap 'echo got USR1 > /out/sig; exit 3' USR1; echo up > /out/up; while true; do sleep 0.05; done"));
        Bundles.edit(b, "\"mounts\": [", "\"mounts\": [{\"destination\": \"/out\", \"type\": \"bind\", \"source\": \""
                + out + "\", \"options\": [\"rbind\"]},");
        ok(rt("create", "--bundle", b.toString(), P + "k1"));
        ok(rt("start", P + "k1"));
        for (int i = 0; i < 500 && !Files.exists(out.resolve("up")); i++) {
            Thread.sleep(10);
        }
        ok(rt("kill", P + "k1", "USR1"));
        awaitStatus(P + "k1", "stopped");
        assertThat(Files.readString(out.resolve("sig"))).isEqualTo("got USR1\n");
        String stopped = rt("state", P + "k1").out();
        fails(rt("kill", P + "k1", "KILL"), "stopped");
        assertThat(rt("state", P + "k1").out()).isEqualTo(stopped);
        ok(rt("delete", P + "k1"));
    }

    // "Attempting to delete a container that is not stopped MUST have no effect on the container and MUST
    // generate an error." / "Deleting a container MUST delete the resources that were created during the
    // create step. Note that resources associated with the container, but not created by this container,
    // MUST NOT be deleted."
    @Test
    void deleteRemovesWhatCreateMadeAndNothingElse() throws Exception {
        assertThat(rt("delete").code()).isNotZero();
        Path parent = Path.of("/sys/fs/cgroup/pids/berth-must-" + ProcessHandle.current().pid());
        Files.createDirectory(parent);
        try {
            Path b = Bundles.busybox(tmp.resolve("b"), List.of("sleep", "100"));
            Bundles.edit(b, "\"linux\": {", "\"linux\": {\"cgroupsPath\": \"/" + parent.getFileName() + "/d1\",");
            ok(rt("create", "--bundle", b.toString(), P + "d1"));
            ok(rt("start", P + "d1"));
            long pid = JsonCodec.parseObject(rt("state", P + "d1").out().getBytes(), "state").optLong("pid").orElseThrow();
            fails(rt("delete", P + "d1"), "not stopped");
            assertThat(status(P + "d1")).isEqualTo("running");
            assertThat(Path.of("/proc/" + pid)).exists();
            assertThat(parent.resolve("d1")).isDirectory();

            ok(rt("kill", P + "d1", "KILL"));
            awaitStatus(P + "d1", "stopped");
            ok(rt("delete", P + "d1"));
            fails(rt("state", P + "d1"), "does not exist");
            assertThat(root().resolve(P + "d1")).doesNotExist();
            assertThat(parent.resolve("d1")).as("the container's cgroup goes").doesNotExist();
            assertThat(parent).as("a cgroup the container did not create stays").isDirectory();
        } finally {
            rt("delete", "--force", P + "d1");
            Bundles.removeCgroupTree(parent.getFileName().toString()); // create made it in the other hierarchies
        }
    }

    // "If any poststop hook fails, the runtime MUST log a warning, but the remaining hooks and lifecycle
    // continue as if the hook had succeeded."
    @Test
    void aFailingPoststopHookIsAWarningAndTheNextHookStillRuns() throws Exception {
        Path marker = tmp.resolve("second-hook-ran");
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("true"));
        Bundles.edit(b, "\"ociVersion\"", "\"hooks\": {\"poststop\": [{\"path\": \"/bin/false\"}, {\"path\": \"/bin/sh\", "
                + "\"args\": [\"sh\", \"-c\", \"touch " + marker + "\"]}]}, \"ociVersion\"");
        ok(rt("create", "--bundle", b.toString(), P + "h1"));
        ok(rt("start", P + "h1"));
        awaitStatus(P + "h1", "stopped");
        Result del = rt("delete", P + "h1");
        ok(del);
        assertThat(del.err()).contains("warning");
        assertThat(marker).exists();
        fails(rt("state", P + "h1"), "does not exist");
    }

    // features.md: "the runtime MUST ... output ... features" in the schema's shape; and `spec` writes a
    // config.json that adheres to config-schema.json.
    @Test
    void featuresAndSpecAdhereToTheirSchemas() throws Exception {
        Result f = rt("features");
        ok(f);
        assertThat(validate("features-schema.json", f.out())).as(f.out()).isEmpty();
        Path dir = Files.createDirectories(tmp.resolve("spec"));
        Result s = rt("spec", "--bundle", dir.toString());
        ok(s);
        String config = Files.readString(dir.resolve("config.json"));
        assertThat(validate("config-schema.json", config)).as(config).isEmpty();
    }
}
