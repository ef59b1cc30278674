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
 * A TCP proxy on loopback that forwards to a registry and, once, cuts the connection that is
 * carrying data when {@code cutAfter} bytes have gone in the watched direction in all (from the
 * server: a download broken mid-blob; to the server: an upload broken mid-chunk).
 */
public final class CuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicBoolean cut = new AtomicBoolean();
    private final AtomicInteger connections = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong upstreamBytes = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong downstreamBytes = new java.util.concurrent.atomic.AtomicLong();
    private final Thread acceptor;

    public CuttingProxy(int targetPort, long cutAfter) throws IOException {
        this(targetPort, cutAfter, false);
    }

    /** With {@code cutUploads}, the cut is in the client-to-server direction: a push broken mid-blob. */
    public CuttingProxy(int targetPort, long cutAfter, boolean cutUploads) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    connections.incrementAndGet();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    Thread.ofVirtual().start(() -> pump(client, upstream, cutUploads ? cutAfter : Long.MAX_VALUE,
                            upstreamBytes));
                    Thread.ofVirtual().start(() -> pump(upstream, client, cutUploads ? Long.MAX_VALUE : cutAfter,
                            downstreamBytes));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private void pump(Socket from, Socket to, long limit, java.util.concurrent.atomic.AtomicLong counter) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                long before = counter.getAndAdd(n);
                if (before + n > limit && before < limit && cut.compareAndSet(false, true)) {
                    out.write(buf, 0, (int) (limit - before));
                    out.flush();
                    from.close();
                    to.close();
                    return;
                }
                out.write(buf, 0, n);
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

    /** Bytes that went from clients to the server. */
    public long upstreamBytes() {
        return upstreamBytes.get();
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
