package io.berth.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.client.testing.CuttingProxy;
import io.berth.client.testing.DockerRegistry;
import io.berth.client.transport.ImageName;
import io.berth.image.layout.OciLayout;
import io.berth.spec.Descriptor;
import io.berth.spec.Platform;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A download cut in the middle of a blob resumes with a Range request and still verifies. */
class ResumeTest {
    @TempDir
    Path tmp;

    @Test
    void pullResumesAfterTheConnectionIsCutMidBlob() throws Exception {
        try (DockerRegistry reg = DockerRegistry.start(tmp.resolve("reg"), Optional.empty())) {
            Descriptor m = CopyInteropTest.image(tmp.resolve("layout"), "v1", Platform.parse("linux/amd64"), "resume");
            Copier.Options o = Copier.Options.defaults().withAuthFiles(List.of());
            Copier.copy(ImageName.parse("oci:" + tmp.resolve("layout") + ":v1"),
                    ImageName.parse("docker://" + reg.host() + "/resume/img:v1"), o);
            int port = Integer.parseInt(reg.host().substring(reg.host().lastIndexOf(':') + 1));
            // The layer is ~3 MiB of random bytes: cut after 1 MiB of answers on one connection.
            try (CuttingProxy proxy = new CuttingProxy(port, 1 << 20)) {
                Copier.Result r = Copier.copy(ImageName.parse("docker://127.0.0.1:" + proxy.port() + "/resume/img:v1"),
                        ImageName.parse("oci:" + tmp.resolve("pulled") + ":v1"), o.withAll(false));
                assertThat(proxy.didCut()).as("the proxy broke a download").isTrue();
                assertThat(r.top().digest()).isEqualTo(m.digest());
                OciLayout pulled = OciLayout.open(tmp.resolve("pulled"));
                for (Descriptor l : pulled.resolve("v1", Platform.parse("linux/amd64")).manifest().layers()) {
                    assertThat(pulled.blobs().has(l.digest())).isTrue();
                }
            }
        }
    }

    /**
     * A push broken mid-blob goes on from the offset the upload's status reports (surefire runs
     * these with 256 KiB chunks: -Dberth.upload.chunkBytes). Berth's registry keeps the session:
     * only the broken chunk is sent again.
     */
    @Test
    void pushToBerthsRegistryResumesFromItsOffset() throws Exception {
        try (io.berth.registry.http.RegistryServer server = io.berth.registry.http.RegistryServer.start(
                new io.berth.registry.Registry(io.berth.registry.storage.Storage.filesystem(tmp.resolve("berth")),
                        io.berth.registry.Limits.DEFAULT), new java.net.InetSocketAddress("127.0.0.1", 0),
                Optional.empty())) {
            long[] sentAndBlobs = pushThroughCuttingProxy(server.address().getPort(), true);
            assertThat(sentAndBlobs[0]).as("resumed, not restarted: the bytes before the cut are not sent again")
                    .isLessThan(sentAndBlobs[1] + (300 << 10));
        }
    }

    /**
     * docker-registry 2.8 answers the status of an upload whose chunk broke with 404
     * (BLOB_UPLOAD_UNKNOWN: its state token no longer matches), so the client starts a fresh upload:
     * the push still succeeds with every digest.
     */
    @Test
    void pushToDockerRegistryRestartsAndSucceeds() throws Exception {
        try (DockerRegistry reg = DockerRegistry.start(tmp.resolve("reg"), Optional.empty())) {
            int port = Integer.parseInt(reg.host().substring(reg.host().lastIndexOf(':') + 1));
            pushThroughCuttingProxy(port, false);
        }
    }

    /**
     * Pushes through a proxy that breaks the upload after 1.1 MiB in all (mid-chunk); returns the bytes
     * sent through the proxy and the blob bytes copied.
     */
    long[] pushThroughCuttingProxy(int port, boolean berth) throws Exception {
        Descriptor m = CopyInteropTest.image(tmp.resolve("layout"), "v1", Platform.parse("linux/amd64"), "upload");
        Copier.Options o = Copier.Options.defaults().withAuthFiles(List.of()).withParallel(1);
        try (CuttingProxy proxy = new CuttingProxy(port, (1 << 20) + (100 << 10), true)) {
            Copier.Result r = Copier.copy(ImageName.parse("oci:" + tmp.resolve("layout") + ":v1"),
                    ImageName.parse("docker://127.0.0.1:" + proxy.port() + "/resume/push:v1"), o);
            assertThat(proxy.didCut()).as("the proxy broke an upload").isTrue();
            assertThat(r.top().digest()).isEqualTo(m.digest());
            assertThat(r.bytesCopied()).isGreaterThan(3L << 20);
            // What the registry holds is whole: pulling it directly verifies every blob.
            Copier.Result back = Copier.copy(ImageName.parse("docker://127.0.0.1:" + port + "/resume/push:v1"),
                    ImageName.parse("oci:" + tmp.resolve(berth ? "b1" : "b2") + ":v1"), o);
            assertThat(back.top().digest()).isEqualTo(m.digest());
            return new long[] {proxy.upstreamBytes(), r.bytesCopied()};
        }
    }
}
