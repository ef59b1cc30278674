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
}
