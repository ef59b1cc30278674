package io.berth.registry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The request body's read-ahead: reads go on below the high-water mark, stop above it, resume below the low one. */
class BodyStreamTest {

    /** Counts the socket reads the body asks for (auto-read off, as the server runs). */
    private static final class ReadCounter extends ChannelOutboundHandlerAdapter {
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public void read(ChannelHandlerContext ctx) {
            reads.incrementAndGet();
        }
    }

    @Test
    void readsAheadUntilTheHighWaterMarkAndResumesBelowTheLowOne() throws Exception {
        ReadCounter counter = new ReadCounter();
        // the body's context must sit after the counter: ctx.read() goes towards the head from there
        io.netty.channel.ChannelInboundHandlerAdapter handler = new io.netty.channel.ChannelInboundHandlerAdapter();
        EmbeddedChannel ch = new EmbeddedChannel(counter, handler);
        ch.config().setAutoRead(false);
        counter.reads.set(0); // the channel's own first read
        ChannelHandlerContext ctx = ch.pipeline().context(handler);
        BodyStream body = new BodyStream(ctx);
        int piece = 64 << 10;
        int fits = BodyStream.HIGH_WATER / piece; // pieces before the mark is reached

        for (int i = 0; i < fits - 1; i++) {
            body.offer(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[piece])));
        }
        assertThat(counter.reads.get()).as("a read after every piece below the mark").isEqualTo(fits - 1);
        body.offer(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[piece])));
        body.offer(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[piece])));
        assertThat(counter.reads.get()).as("no read at or above the mark").isEqualTo(fits - 1);

        byte[] buf = new byte[piece];
        int consumed = 0;
        // consume until less than the low-water mark waits: exactly then one read is asked for again
        while ((long) (fits - consumed) * piece >= BodyStream.LOW_WATER) { // what waits after this read's take
            assertThat(body.readNBytes(buf, 0, piece)).isEqualTo(piece);
            consumed++;
        }
        assertThat(counter.reads.get()).isEqualTo(fits - 1);
        assertThat(body.readNBytes(buf, 0, piece)).isEqualTo(piece);
        assertThat(counter.reads.get()).as("resumed below the low-water mark").isEqualTo(fits);

        body.offer(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[10])));
        assertThat(counter.reads.get()).as("no read after the body's end").isEqualTo(fits);
        long rest = body.readAllBytes().length;
        assertThat(rest).isEqualTo((long) (fits + 1 - consumed - 1) * piece + 10);
        assertThat(body.read()).isEqualTo(-1);
        body.close();
        ch.finishAndReleaseAll();
    }
}
