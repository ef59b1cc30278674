package io.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.runtime.Bundles.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * process.terminal through runc's console-socket protocol: create/exec --console-socket send a pty master
 * (SCM_RIGHTS) to a receiver (src/test/c/console-receiver.c, built here with gcc), the container's stdio is
 * the slave and its controlling terminal, consoleSize applies, and what the receiver writes reaches the
 * process. Each case also runs under runc 1.1.5 with the same bundle and receiver: the same bytes come out.
 * Run in the foreground, the container gets the caller's terminal (provided here by script(1)).
 */
class ConsoleTest {
    @TempDir
    Path tmp;

    static Path receiver;

    /** What the container prints: a line read from the master, its tty, the window size, stdin a tty, the
     * owner of /dev/console and of the slave, pid 1's session and controlling tty (tty_nr 34816 = 136:0). */
    static final String SCRIPT = "read line; echo \"got:$line\"; tty; stty size; test -t 0 && echo stdin-tty; "
            + "stat -c '%n %A %t,%T %u:%g' /dev/console /dev/pts/0; cut -d' ' -f6,7 /proc/1/stat; exit 3";

    /** The input's echo comes first: the process reads before it writes (run --detach starts it at once). */
    static final String EXPECTED = "hello\ngot:hello\n/dev/pts/0\n33 101\nstdin-tty\n"
            + "/dev/console crw--w---- 88,0 0:5\n/dev/pts/0 crw--w---- 88,0 0:5\n1 34816\n";

    @BeforeAll
    static void buildReceiver() throws Exception {
        assertThat(System.getProperty("user.name")).as("these tests create namespaces: run as root").isEqualTo("root");
        receiver = Path.of("target", "console-receiver").toAbsolutePath();
        Result gcc = Bundles.exec(List.of("gcc", "-O2", "-Wall", "-Werror", "-o", receiver.toString(),
                Path.of("src/test/c/console-receiver.c").toAbsolutePath().toString()));
        assertThat(gcc.code()).as(gcc.err()).isZero();
    }

    private Path bundle(String name, String script) throws Exception {
        Path b = Bundles.busybox(tmp.resolve(name), List.of("sh", "-c", script));
        for (String applet : List.of("tty", "stty", "cut")) {
            Files.createSymbolicLink(b.resolve("rootfs/bin/" + applet), Path.of("busybox"));
        }
        Bundles.edit(b, "\"terminal\": false", "\"terminal\": true, \"consoleSize\": {\"height\": 33, \"width\": 101}");
        return b;
    }

    /** The receiver's stdout (CRLF made LF), its stderr and exit code. It ends when the last slave fd is
     * closed, which may come before the runtime has seen the process exit: hence delete --force after. */
    record Received(String out, String err, int code) {}

    interface Action {
        void run(Path socket) throws Exception;
    }

    private Received receive(String input, Action action) throws Exception {
        return receive(Files.createTempDirectory(tmp, "s").resolve("console.sock"), input, action);
    }

    private Received receive(Path sock, String input, Action action) throws Exception {
        Path out = tmp.resolve("recv.out");
        Path err = tmp.resolve("recv.err");
        Process p = new ProcessBuilder(receiver.toString(), sock.toString(), input).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        try {
            for (int i = 0; i < 500 && !Files.exists(sock); i++) {
                Thread.sleep(10);
            }
            assertThat(sock).as("the receiver listens").exists();
            action.run(sock);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the receiver saw the pty close").isTrue();
            return new Received(Files.readString(out).replace("\r\n", "\n"), Files.readString(err), p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * What script(1) recorded, as lines: two ptys in a row (script's, the container's) may turn "\n" into
     * "\r\r\n" while the runtime has not yet put script's into raw mode; and script sends a NUL once its
     * stdin (/dev/null) ends, which the runtimes copy to the container's pty and it echoes as "^@".
     */
    private static String screen(String out) {
        return out.replace("^@", "").replace("\r", "");
    }

    private static void ok(Result r) {
        assertThat(r.code()).as(r.out() + r.err()).isZero();
    }

    @Test
    void createWithConsoleSocketGivesTheProcessAPty() throws Exception {
        Path b = bundle("b", SCRIPT);
        Path root = tmp.resolve("root");
        Received r = receive("hello\n", sock -> {
            ok(Bundles.berth(root, "create", "--bundle", b.toString(), "--console-socket", sock.toString(), "t1"));
            ok(Bundles.berth(root, "start", "t1"));
        });
        assertThat(r.err()).isEqualTo("master /dev/ptmx pts 0\n");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(EXPECTED);
        ok(Bundles.berth(root, "delete", "--force", "t1"));
    }

    /** A socket path longer than sun_path (108 bytes): runtime-init connects through /proc/self/fd. */
    @Test
    void aConsoleSocketPathLongerThanSunPath() throws Exception {
        Path b = bundle("b", SCRIPT);
        Path deep = Files.createDirectories(tmp.resolve("d".repeat(60)).resolve("e".repeat(60)));
        Path sock = deep.resolve("console.sock");
        assertThat(sock.toString().length()).isGreaterThan(108);
        Received r = receive(sock, "hello\n", s -> ok(Bundles.berth(tmp.resolve("root"), "run", "--detach",
                "--bundle", b.toString(), "--console-socket", s.toString(), "l1")));
        assertThat(r.out()).isEqualTo(EXPECTED);
        ok(Bundles.berth(tmp.resolve("root"), "delete", "--force", "l1"));
    }

    @Test
    void sameBytesAsRuncThroughTheConsoleSocket() throws Exception {
        Path b = bundle("b", SCRIPT);
        Received runc = receive("hello\n", sock -> {
            ok(Bundles.runc(tmp.resolve("runc-root"), "create", "--bundle", b.toString(), "--console-socket",
                    sock.toString(), "p1"));
            ok(Bundles.runc(tmp.resolve("runc-root"), "start", "p1"));
        });
        Received berth = receive("hello\n", sock -> {
            ok(Bundles.berth(tmp.resolve("root"), "run", "--detach", "--bundle", b.toString(), "--console-socket",
                    sock.toString(), "p1"));
        });
        assertThat(runc.out()).as("runc's view of this bundle").isEqualTo(EXPECTED);
        assertThat(berth.out()).isEqualTo(runc.out());
        assertThat(berth.err()).isEqualTo(runc.err());
        ok(Bundles.runc(tmp.resolve("runc-root"), "delete", "--force", "p1"));
        ok(Bundles.berth(tmp.resolve("root"), "delete", "--force", "p1"));
    }

    /** exec --tty --detach --console-socket with a process.json: a pty of its own, its consoleSize, as runc's. */
    @Test
    void execTtyWithConsoleSocketLikeRunc() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sleep", "100"));
        for (String applet : List.of("tty", "stty")) {
            Files.createSymbolicLink(b.resolve("rootfs/bin/" + applet), Path.of("busybox"));
        }
        Path process = tmp.resolve("process.json");
        Files.writeString(process, """
                {"terminal": true, "consoleSize": {"height": 40, "width": 120}, "user": {"uid": 0, "gid": 0},
                 "cwd": "/", "env": ["PATH=/bin"],
                 "args": ["sh", "-c", "read l; echo got:$l; tty; stty size; test -t 0 && echo stdin-tty; exit 4"]}
                """);
        // the process runs at once (no start): it reads first, so the echo of the input comes first
        String expected = "hi\ngot:hi\n/dev/pts/0\n40 120\nstdin-tty\n";
        for (String runtime : List.of("runc", "berth")) {
            Path root = tmp.resolve(runtime + "-root");
            Runner rt = (args) -> runtime.equals("runc") ? Bundles.runc(root, args) : Bundles.berth(root, args);
            ok(rt.run("run", "--detach", "--bundle", b.toString(), "x1"));
            try {
                Received r = receive("hi\n", sock -> ok(rt.run("exec", "--detach", "--tty", "--console-socket",
                        sock.toString(), "--process", process.toString(), "x1")));
                assertThat(r.out()).as(runtime).isEqualTo(expected);
            } finally {
                rt.run("delete", "--force", "x1");
            }
        }
    }

    interface Runner {
        Result run(String... args) throws Exception;
    }

    /** run in the foreground with terminal: true: the caller's terminal, its size, the exit code (runc too). */
    @Test
    void runInTheForegroundUsesTheCallersTerminal() throws Exception {
        Path b = bundle("b", "tty; stty size; test -t 0 && echo stdin-tty; test -t 1 && echo stdout-tty; exit 3");
        String berth = Bundles.shell(Bundles.berthCommand(tmp.resolve("root"), "run", "--bundle", b.toString(), "f1"));
        String runc = Bundles.shell(List.of("runc", "--root", tmp.resolve("runc-root").toString(), "run", "--bundle",
                b.toString(), "f1"));
        Result rr = Bundles.exec(List.of("script", "-qec", "stty rows 20 cols 70; " + runc, "/dev/null"));
        Result br = Bundles.exec(List.of("script", "-qec", "stty rows 20 cols 70; " + berth, "/dev/null"));
        String expected = "/dev/pts/0\n20 70\nstdin-tty\nstdout-tty\n";
        // script(1) may send a NUL once its stdin (/dev/null) ends; both runtimes copy it to the container's
        // pty, which echoes "^@". runc 1.1.5 resizes the pty to the caller's terminal only after start, so its
        // container sees 20x70 or consoleSize (a race); berth-runtime sizes it before start: always 20x70.
        assertThat(screen(rr.out())).as("runc")
                .isIn(expected, expected.replace("20 70", "33 101"));
        assertThat(screen(br.out())).as(br.err()).isEqualTo(expected);
        assertThat(br.code()).isEqualTo(rr.code()).isEqualTo(3);
    }

    /**
     * In a user namespace with a non-root process user: the pty still comes from the container's devpts and
     * the slave belongs to the process's uid (as runc's), seen from inside.
     */
    @Test
    void userNamespaceAndNonRootUser() throws Exception {
        Path b = bundle("b", "tty; stty size; id; stat -c '%n %u:%g' /dev/pts/0 /dev/console; exit 3");
        Bundles.edit(b, "\"namespaces\"", "\"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}], "
                + "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}], \"namespaces\"");
        Bundles.edit(b, "{\"type\": \"pid\"}", "{\"type\": \"pid\"}, {\"type\": \"user\"}");
        Bundles.edit(b, "\"uid\": 0, \"gid\": 0", "\"uid\": 1000, \"gid\": 1000");
        assertThat(Bundles.exec(List.of("chown", "-R", "100000:100000", b.resolve("rootfs").toString())).code()).isZero();
        assertThat(Bundles.exec(List.of("chmod", "755", tmp.toString())).code()).isZero();
        String expected = "/dev/pts/0\n33 101\nuid=1000 gid=1000\n/dev/pts/0 1000:5\n/dev/console 1000:5\n";
        for (String runtime : List.of("runc", "berth")) {
            Path root = tmp.resolve(runtime + "-root");
            Received r = receive("", sock -> ok(runtime.equals("runc")
                    ? Bundles.runc(root, "run", "--detach", "--bundle", b.toString(), "--console-socket", sock.toString(), "u1")
                    : Bundles.berth(root, "run", "--detach", "--bundle", b.toString(), "--console-socket", sock.toString(),
                            "u1")));
            assertThat(r.out()).as(runtime).isEqualTo(expected);
            ok(runtime.equals("runc") ? Bundles.runc(root, "delete", "--force", "u1")
                    : Bundles.berth(root, "delete", "--force", "u1"));
        }
    }

    /** exec --tty without --detach: the caller's terminal too; the exec's exit code comes back (runc too). */
    @Test
    void execTtyInTheForegroundUsesTheCallersTerminal() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sleep", "100"));
        for (String applet : List.of("tty", "stty")) {
            Files.createSymbolicLink(b.resolve("rootfs/bin/" + applet), Path.of("busybox"));
        }
        String script = "tty; stty size; test -t 0 && echo stdin-tty; exit 5";
        List<String> outputs = new java.util.ArrayList<>();
        for (String runtime : List.of("runc", "berth")) {
            Path root = tmp.resolve(runtime + "-root");
            List<String> base = runtime.equals("runc") ? List.of("runc", "--root", root.toString())
                    : Bundles.berthCommand(root);
            Runner rt = (args) -> {
                List<String> cmd = new java.util.ArrayList<>(base);
                cmd.addAll(List.of(args));
                return Bundles.exec(cmd);
            };
            ok(rt.run("run", "--detach", "--bundle", b.toString(), "x2"));
            try {
                List<String> exec = new java.util.ArrayList<>(base);
                exec.addAll(List.of("exec", "--tty", "x2", "sh", "-c", script));
                Result r = Bundles.exec(List.of("script", "-qec", "stty rows 21 cols 71; " + Bundles.shell(exec),
                        "/dev/null"));
                assertThat(r.code()).as(runtime + " " + r.out() + r.err()).isEqualTo(5);
                outputs.add(screen(r.out()));
            } finally {
                rt.run("delete", "--force", "x2");
            }
        }
        assertThat(outputs.get(1)).isEqualTo("/dev/pts/0\n21 71\nstdin-tty\n");
        // runc resizes the pty after the process started (a race): busybox's stty may still see 0x0, which
        // it reports as an error
        assertThat(outputs.get(0)).as("runc").isIn(outputs.get(1),
                outputs.get(1).replace("21 71", "stty: standard input: No child processes"));
    }

    /** A resize of the caller's terminal reaches the container's pty (SIGWINCH in the container), as runc's. */
    @Test
    void resizingTheCallersTerminalResizesThePty() throws Exception {
        Path b = bundle("b", "stty size; trap 'stty size; exit 7' WINCH; while :; do sleep 0.1; done");
        // resize every half second (a new size each time) until the container reacts and exits
        String resizer = "(i=0; while [ $i -lt 40 ]; do sleep 0.5; i=$((i+1)); stty rows $((30+i)) cols 90 </dev/tty || exit; "
                + "done) & ";
        for (String runtime : List.of("runc", "berth")) {
            Path root = tmp.resolve(runtime + "-root");
            String id = "winch-" + ProcessHandle.current().pid() + "-" + runtime;
            List<String> run = runtime.equals("runc")
                    ? List.of("runc", "--root", root.toString(), "run", "--bundle", b.toString(), id)
                    : Bundles.berthCommand(root, "run", "--bundle", b.toString(), id);
            Result r;
            try {
                r = Bundles.exec(List.of("script", "-qec", "stty rows 20 cols 70; " + resizer + Bundles.shell(run)
                        + "; rc=$?; kill $!; exit $rc", "/dev/null"));
            } finally { // on a timeout: the container goes, so does the runtime waiting for it
                if (runtime.equals("runc")) {
                    Bundles.runc(root, "delete", "--force", id);
                } else {
                    Bundles.berth(root, "delete", "--force", id);
                }
            }
            List<String> sizes = screen(r.out()).lines().toList();
            assertThat(r.code()).as(runtime + ": " + r.out() + r.err()).isEqualTo(7);
            assertThat(sizes).as(runtime).hasSize(2);
            // runc's own first resize (consoleSize -> 20x70 after start) may be the SIGWINCH its container sees
            assertThat(sizes.get(1)).as(runtime).isNotEqualTo(sizes.get(0));
            if (runtime.equals("berth")) {
                // the caller's size when the process started (already resized if the start was slow)
                assertThat(sizes.get(0)).matches("20 70|\\d+ 90");
                assertThat(sizes.get(1)).matches("\\d+ 90");
            }
        }
    }

    /** Input typed on the caller's terminal reaches the container; the terminal's mode is restored after. */
    @Test
    void foregroundInputReachesTheContainer() throws Exception {
        Path b = bundle("b", "read line; echo \"got:$line\"");
        String berth = Bundles.shell(Bundles.berthCommand(tmp.resolve("root"), "run", "--bundle", b.toString(), "f2"));
        // script's pty is the caller's terminal; the input arrives on it once the container reads
        Result r = Bundles.exec(List.of("sh", "-c", "(sleep 3; printf 'typed\\r') | script -qec "
                + Bundles.shell(List.of("stty -g; " + berth + "; echo rc=$?; stty -g")) + " /dev/null"));
        String[] lines = screen(r.out()).split("\n");
        assertThat(r.out()).as(r.err()).contains("got:typed").contains("rc=0");
        assertThat(lines[lines.length - 1]).as("stty settings restored").isEqualTo(lines[0]);
    }

    @Test
    void terminalWithoutAConsoleSocketIsAClearError() throws Exception {
        Path b = bundle("b", "true");
        Path root = tmp.resolve("root");
        Result create = Bundles.berth(root, "create", "--bundle", b.toString(), "e1");
        assertThat(create.code()).isEqualTo(1);
        assertThat(create.err()).contains("needs --console-socket");
        Result fg = Bundles.berth(root, "run", "--bundle", b.toString(), "e2"); // stdio: /dev/null and files
        assertThat(fg.code()).isEqualTo(1);
        assertThat(fg.err()).contains("stdin, stdout and stderr are not terminals");
        Bundles.edit(b, "\"terminal\": true", "\"terminal\": false");
        Result noTty = Bundles.berth(root, "create", "--bundle", b.toString(), "--console-socket", "/tmp/x.sock", "e3");
        assertThat(noTty.err()).contains("process.terminal is false");
        assertThat(Bundles.berth(root, "list", "-q").out()).as("nothing left behind").isEmpty();
    }
}
