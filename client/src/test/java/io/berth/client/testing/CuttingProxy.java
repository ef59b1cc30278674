package io.berth.client.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback that forwards to a registry and, once, cuts a connection after it has
 * carried {@code cutAfter} bytes from the server: a download broken in the middle of a blob.
 */
public final class CuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicBoolean cut = new AtomicBoolean();
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;

    public CuttingProxy(int targetPort, long cutAfter) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    connections.incrementAndGet();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    Thread.ofVirtual().start(() -> pump(client, upstream, Long.MAX_VALUE));
                    Thread.ofVirtual().start(() -> pump(upstream, client, cut.get() ? Long.MAX_VALUE : cutAfter));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private void pump(Socket from, Socket to, long limit) {
        byte[] buf = new byte[16 * 1024];
        long sent = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (sent + n > limit && cut.compareAndSet(false, true)) {
                    out.write(buf, 0, (int) (limit - sent));
                    out.flush();
                    from.close();
                    to.close();
                    return;
                }
                out.write(buf, 0, n);
                sent += n;
            }
        } catch (IOException e) {
            // one side went away; close both
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public boolean didCut() {
        return cut.get();
    }

    public int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
