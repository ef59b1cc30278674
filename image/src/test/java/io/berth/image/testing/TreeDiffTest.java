package io.berth.image.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.image.fs.Xattrs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparator the interop tests rely on does see each kind of difference. */
class TreeDiffTest {
    @TempDir
    Path tmp;

    Path tree(String name) throws Exception {
        Path r = Files.createDirectories(tmp.resolve(name));
        Files.writeString(r.resolve("f"), "content");
        Files.createSymbolicLink(r.resolve("l"), Path.of("f"));
        Files.writeString(r.resolve("g"), "g");
        return r;
    }

    @Test
    void seesEveryKindOfDifference() throws Exception {
        Path a = tree("a");
        assertThat(TreeDiff.compare(a, tree("b"), false)).isEmpty();

        Path mode = tree("mode");
        Files.setAttribute(mode.resolve("f"), "unix:mode", 04644);
        assertThat(TreeDiff.compare(a, mode, false)).singleElement().asString().startsWith("f:");

        Path owner = tree("owner");
        Files.setAttribute(owner.resolve("f"), "unix:uid", 7);
        assertThat(TreeDiff.compare(a, owner, false)).hasSize(1);

        Path content = tree("content");
        Files.writeString(content.resolve("f"), "other!!");
        assertThat(TreeDiff.compare(a, content, false)).hasSize(1);

        Path link = tree("link");
        Files.delete(link.resolve("l"));
        Files.createSymbolicLink(link.resolve("l"), Path.of("g"));
        assertThat(TreeDiff.compare(a, link, false)).hasSize(1);

        Path xattr = tree("xattr");
        Xattrs.set(xattr.resolve("f"), "user.x", "1".getBytes(StandardCharsets.UTF_8));
        assertThat(TreeDiff.compare(a, xattr, false)).hasSize(1);

        Path hard = tree("hard");
        Files.delete(hard.resolve("g"));
        Files.createLink(hard.resolve("g"), hard.resolve("f"));
        assertThat(TreeDiff.compare(a, hard, false)).isNotEmpty();

        Path extra = tree("extra");
        Files.writeString(extra.resolve("new"), "");
        assertThat(TreeDiff.compare(a, extra, false)).singleElement().asString().contains("only in");
    }
}
