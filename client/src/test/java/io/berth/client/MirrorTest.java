package io.berth.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.client.registry.RegistriesConf;
import io.berth.client.testing.DockerRegistry;
import io.berth.client.transport.ImageName;
import io.berth.spec.Descriptor;
import io.berth.spec.Platform;
import io.berth.spec.Reference;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** registries.conf: longest-prefix match, mirrors tried in order with fallback, pushes to the location. */
class MirrorTest {
    @TempDir
    Path tmp;

    @Test
    void parsesAndResolves() {
        RegistriesConf conf = RegistriesConf.parse(List.of(
                "unqualified-search-registries = [\"docker.io\"]  # ignored",
                "[[registry]]",
                "prefix = \"docker.io\"",
                "location = \"registry-1.docker.io\"",
                "[[registry.mirror]]",
                "location = \"mirror.local:5000\"",
                "insecure = true",
                "[[registry]]",
                "prefix = \"docker.io/team\"",
                "location = \"team.example/hub\"",
                "[[registry]]",
                "prefix = \"blocked.example\"",
                "blocked = true"), "test.conf");
        var lib = conf.pullEndpoints(Reference.parse("busybox"));
        assertThat(lib).extracting(RegistriesConf.Endpoint::toString)
                .containsExactly("mirror.local:5000/library/busybox (insecure) (mirror)", "registry-1.docker.io/library/busybox");
        assertThat(conf.pullEndpoints(Reference.parse("team/app:1"))).extracting(RegistriesConf.Endpoint::toString)
                .containsExactly("team.example/hub/app");
        assertThat(conf.pushEndpoint(Reference.parse("busybox")).host()).isEqualTo("registry-1.docker.io");
        assertThat(conf.pullEndpoints(Reference.parse("quay.io/x/y"))).singleElement().extracting(RegistriesConf.Endpoint::host)
                .isEqualTo("quay.io");
        assertThatThrownBy(() -> conf.pullEndpoints(Reference.parse("blocked.example/x"))).hasMessageContaining("blocked");
        assertThatThrownBy(() -> RegistriesConf.parse(List.of("[[registry]]", "prefix = unquoted"), "bad.conf"))
                .hasMessageContaining("bad.conf:2");
    }

    @Test
    void pullsFromTheMirrorFallsBackToTheLocationPushesToTheLocation() throws Exception {
        try (DockerRegistry mirror = DockerRegistry.start(tmp.resolve("m"), Optional.empty());
                DockerRegistry origin = DockerRegistry.start(tmp.resolve("o"), Optional.empty())) {
            RegistriesConf conf = RegistriesConf.parse(List.of(
                    "[[registry]]",
                    "prefix = \"example.test/team\"",
                    "location = \"" + origin.host() + "/team\"",
                    "[[registry.mirror]]",
                    "location = \"" + mirror.host() + "/mirrored\""), "test.conf");
            Copier.Options o = Copier.Options.defaults().withAuthFiles(List.of()).withRegistries(conf);
            Copier.Options direct = Copier.Options.defaults().withAuthFiles(List.of()).withRegistries(RegistriesConf.EMPTY);
            Descriptor onlyOrigin = CopyInteropTest.image(tmp.resolve("l"), "v1", Platform.parse("linux/amd64"), "origin");
            Descriptor onMirror = CopyInteropTest.image(tmp.resolve("l"), "v2", Platform.parse("linux/amd64"), "mirror");
            // push through the conf: lands at the location (origin), not the mirror
            Copier.copy(ImageName.parse("oci:" + tmp.resolve("l") + ":v1"), ImageName.parse("docker://example.test/team/app:v1"), o);
            Copier.copy(ImageName.parse("oci:" + tmp.resolve("l") + ":v2"),
                    ImageName.parse("docker://" + mirror.host() + "/mirrored/app:v2"), direct);
            assertThatThrownBy(() -> Copier.copy(ImageName.parse("docker://" + mirror.host() + "/mirrored/app:v1"),
                    ImageName.parse("oci:" + tmp.resolve("x") + ":v1"), direct)).hasMessageContaining("MANIFEST_UNKNOWN");
            // v2 comes from the mirror; v1 is not there, so the origin answers.
            assertThat(Copier.copy(ImageName.parse("docker://example.test/team/app:v2"),
                    ImageName.parse("oci:" + tmp.resolve("p2") + ":v2"), o).top().digest()).isEqualTo(onMirror.digest());
            assertThat(Copier.copy(ImageName.parse("docker://example.test/team/app:v1"),
                    ImageName.parse("oci:" + tmp.resolve("p1") + ":v1"), o).top().digest()).isEqualTo(onlyOrigin.digest());
            assertThatThrownBy(() -> Copier.copy(ImageName.parse("docker://example.test/team/app:none"),
                    ImageName.parse("oci:" + tmp.resolve("p3") + ":x"), o)).hasMessageContaining("no endpoint answered")
                    .hasMessageContaining(mirror.host()).hasMessageContaining(origin.host());
        }
    }
}
