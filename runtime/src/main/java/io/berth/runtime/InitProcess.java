package io.berth.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts runtime-init, hands it the plan over a unix socket and reads its reports: "pid N", then "ready"
 * (the container process waits on the exec fifo) or "error\tstep\tpath\terrno\tstrerror".
 * The container inherits the caller's stdin, stdout and stderr (create hands its stdio to the container,
 * as runc's create does).
 */
public final class InitProcess {

    /** A container process waiting on its exec fifo; {@code init} is the parent stage (exits at once unless
     * the plan said "wait", then it exits with the container's status). */
    public record Started(long pid, Process init) {}

    private InitProcess() {}

    public static Path binary() {
        String p = System.getProperty("berth.runtime.init");
        if (p != null) {
            return Path.of(p);
        }
        try {
            Path jar = Path.of(InitProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.resolveSibling("runtime-init");
        } catch (java.net.URISyntaxException e) {
            throw new RuntimeError("cannot locate runtime-init: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("try") // the watcher closes the server early to end a pending accept
    public static Started start(Path socket, Plan plan, java.util.function.LongConsumer onSync) {
        Path bin = binary();
        if (!Files.isExecutable(bin)) {
            throw new RuntimeError("runtime-init not found at " + bin + " (set -Dberth.runtime.init or rebuild)");
        }
        byte[] planBytes = plan.encode();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Files.deleteIfExists(socket);
            server.bind(UnixDomainSocketAddress.of(socket));
            Process init = new ProcessBuilder(bin.toString(), socket.toString()).inheritIO().start();
            // If runtime-init dies before connecting, closing the server ends the accept below.
            Thread watcher = new Thread(() -> {
                try {
                    init.waitFor();
                    Thread.sleep(200);
                    server.close();
                } catch (InterruptedException | IOException e) {
                    // the accept succeeded and we were interrupted: nothing to do
                }
            }, "runtime-init-watcher");
            watcher.setDaemon(true);
            watcher.start();
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (AsynchronousCloseException e) {
                throw new RuntimeError("runtime-init exited with status " + init.exitValue() + " before it connected");
            }
            try (ch) {
                ByteBuffer buf = ByteBuffer.wrap(planBytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                watcher.interrupt();
                Files.deleteIfExists(socket);
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch),
                        StandardCharsets.UTF_8));
                long pid = -1;
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("pid ")) {
                        pid = Long.parseLong(line.substring(4));
                    } else if (line.equals("sync")) {
                        onSync.accept(pid); // hooks; throwing closes the socket and the init gives up
                        ch.write(ByteBuffer.wrap(new byte[] {'1'}));
                    } else if (line.equals("ready")) {
                        return new Started(pid, init);
                    } else if (line.startsWith("error\t")) {
                        throw initError(line);
                    }
                }
                int status = init.waitFor();
                throw new RuntimeError("runtime-init ended (status " + status + ") before the container was ready");
            }
        } catch (IOException e) {
            throw new RuntimeError("create: talking to runtime-init: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeError("create: interrupted", e);
        }
    }

    /** "error\tstep\tpath\terrno\tstrerror" → "runtime-init: step path: strerror (errno N)". */
    static RuntimeError initError(String line) {
        String[] f = line.split("\t", -1);
        String step = f.length > 1 ? f[1] : "?";
        String path = f.length > 2 ? f[2] : "";
        String errno = f.length > 3 ? f[3] : "?";
        String text = f.length > 4 ? f[4] : "";
        return new RuntimeError("container init: " + step + (path.isEmpty() ? "" : " " + path) + ": " + text
                + " (errno " + errno + ")");
    }
}
