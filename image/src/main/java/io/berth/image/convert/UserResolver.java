package io.berth.image.convert;

import io.berth.image.ImageException;
import io.berth.image.fs.InRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Resolves an image's {@code Config.User} (config.md: {@code user}, {@code uid}, {@code user:group},
 * {@code uid:gid}, {@code uid:group}, {@code user:gid}) against the rootfs's own /etc/passwd and
 * /etc/group (conversion.md "Config.User"). The files are found inside the rootfs, their symlinks
 * followed within it; the host's files are never read.
 */
final class UserResolver {
    /** Largest passwd/group file we read. */
    static final long MAX_FILE = 4 << 20;

    /** The resolved uid, gid and supplementary gids. */
    record Resolved(long uid, long gid, List<Long> additionalGids) {}

    private UserResolver() {}

    static Resolved resolve(String spec, Path rootfs) {
        InRoot root = new InRoot(rootfs, 40);
        int colon = spec.indexOf(':');
        String user = colon < 0 ? spec : spec.substring(0, colon);
        Optional<String> group = colon < 0 ? Optional.empty() : Optional.of(spec.substring(colon + 1));
        if (user.isEmpty()) {
            throw new ImageException("convert config: Config.User \"" + spec + "\" has an empty user");
        }
        long uid;
        long gid;
        List<Long> extra = new ArrayList<>();
        Optional<Long> numericUser = number(user);
        Optional<String[]> pw = Optional.empty();
        if (numericUser.isPresent()) {
            // "If the values of user or group in Config.User are numeric ... MUST be copied verbatim."
            uid = numericUser.get();
            pw = lines(root, "/etc/passwd").stream().map(l -> l.split(":", -1))
                    .filter(f -> f.length >= 4 && f[2].equals(user)).findFirst();
            gid = pw.flatMap(f -> number(f[3])).orElse(0L);
        } else {
            pw = lines(root, "/etc/passwd").stream().map(l -> l.split(":", -1))
                    .filter(f -> f.length >= 4 && f[0].equals(user)).findFirst();
            String[] f = pw.orElseThrow(() -> new ImageException("convert config: user \"" + user
                    + "\" not found in the image's /etc/passwd"));
            uid = number(f[2]).orElseThrow(() -> new ImageException("convert config: /etc/passwd entry for \""
                    + user + "\" has an invalid uid \"" + f[2] + "\""));
            gid = number(f[3]).orElseThrow(() -> new ImageException("convert config: /etc/passwd entry for \""
                    + user + "\" has an invalid gid \"" + f[3] + "\""));
        }
        if (group.isPresent()) {
            String g = group.get();
            Optional<Long> numericGroup = number(g);
            if (numericGroup.isPresent()) {
                gid = numericGroup.get();
            } else {
                String[] f = lines(root, "/etc/group").stream().map(l -> l.split(":", -1))
                        .filter(x -> x.length >= 3 && x[0].equals(g)).findFirst()
                        .orElseThrow(() -> new ImageException("convert config: group \"" + g
                                + "\" not found in the image's /etc/group"));
                gid = number(f[2]).orElseThrow(() -> new ImageException("convert config: /etc/group entry for \""
                        + g + "\" has an invalid gid"));
            }
        } else if (numericUser.isEmpty()) {
            // "a converter SHOULD set the value of process.user.additionalGids ... The converter SHOULD NOT
            // modify process.user.additionalGids if the value of user in Config.User is numeric or if
            // Config.User specifies a group."
            for (String l : lines(root, "/etc/group")) {
                String[] f = l.split(":", -1);
                if (f.length >= 4 && List.of(f[3].split(",")).contains(user)) {
                    long g = number(f[2]).orElse(-1L);
                    if (g >= 0 && g != gid && !extra.contains(g)) {
                        extra.add(g);
                    }
                }
            }
        }
        return new Resolved(uid, gid, extra);
    }

    private static Optional<Long> number(String s) {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        long v = Long.parseLong(s);
        return v <= 0xFFFF_FFFFL ? Optional.of(v) : Optional.empty();
    }

    private static List<String> lines(InRoot root, String file) {
        Optional<Path> p = root.resolveFollowing(file);
        if (p.isEmpty() || !Files.isRegularFile(p.get(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try {
            if (Files.size(p.get()) > MAX_FILE) {
                throw new ImageException("convert config: the image's " + file + " is larger than " + MAX_FILE
                        + " bytes");
            }
            return new String(Files.readAllBytes(p.get()), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("convert config: read the image's " + file, e);
        }
    }
}
