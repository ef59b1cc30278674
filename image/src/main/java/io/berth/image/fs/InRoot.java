package io.berth.image.fs;

import io.berth.image.ImageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves paths inside a rootfs as if the rootfs were {@code /} (chroot semantics): every
 * intermediate symlink is followed within the root — an absolute target restarts at the root, a
 * {@code ..} at the root stays at the root — so no path an entry names can lead outside it. The final
 * component is never followed: callers act on it with NOFOLLOW operations.
 *
 * <p>Only the unpacker writes into the tree while it is unpacked (it is a fresh temp directory), so a
 * check-then-use race with another writer does not arise.
 */
public final class InRoot {
    private final Path root;
    private final int maxHops;

    public InRoot(Path root, int maxHops) {
        this.root = root;
        this.maxHops = maxHops;
    }

    public Path root() {
        return root;
    }

    /**
     * Splits a tar entry name into clean components: leading {@code /} and {@code ./} dropped (as tar
     * tools do), empty and {@code .} components dropped, {@code ..} resolved lexically; a {@code ..} that
     * climbs above the root is refused.
     */
    public static List<String> clean(String name, String what) {
        List<String> out = new ArrayList<>();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (out.isEmpty()) {
                    throw new ImageException(what + " \"" + name + "\" escapes the rootfs (\"..\" above the root)");
                }
                out.removeLast();
                continue;
            }
            if (c.indexOf('\0') >= 0) {
                throw new ImageException(what + " \"" + name + "\" contains a NUL byte");
            }
            out.add(c);
        }
        return out;
    }

    /**
     * The host path of the directory that holds the last component of {@code components}, with every
     * symlink on the way resolved inside the root; missing directories are created (mode 0755) when
     * {@code create} is set. Returns the real directory; the caller appends the final name.
     */
    public Path parentDir(List<String> components, boolean create, String entry) {
        Deque<String> todo = new ArrayDeque<>(components.subList(0, components.size() - 1));
        Path cur = root;
        List<Path> stack = new ArrayList<>();
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (c.equals("..")) {
                if (!stack.isEmpty()) {
                    cur = stack.removeLast();
                }
                continue;
            }
            Path next = cur.resolve(c);
            BasicFileAttributes a = stat(next);
            if (a == null) {
                if (!create) {
                    return null;
                }
                try {
                    Files.createDirectory(next);
                } catch (IOException e) {
                    throw new UncheckedIOException("unpack entry " + entry + ": mkdir " + next, e);
                }
                stack.add(cur);
                cur = next;
            } else if (a.isSymbolicLink()) {
                if (++hops > maxHops) {
                    throw new ImageException("unpack entry \"" + entry + "\": more than " + maxHops
                            + " symlinks while resolving the path (a loop?)");
                }
                String target = readLink(next);
                List<String> parts = new ArrayList<>();
                for (String t : target.split("/")) {
                    if (!t.isEmpty() && !t.equals(".")) {
                        parts.add(t);
                    }
                }
                if (target.startsWith("/")) {
                    cur = root;
                    stack.clear();
                }
                for (int i = parts.size() - 1; i >= 0; i--) {
                    todo.push(parts.get(i));
                }
            } else if (a.isDirectory()) {
                stack.add(cur);
                cur = next;
            } else {
                throw new ImageException("unpack entry \"" + entry + "\": " + root.relativize(next)
                        + " is not a directory");
            }
        }
        return cur;
    }

    /** The host path of an existing object named by clean components, final component not followed. */
    public Path existing(List<String> components, String entry) {
        if (components.isEmpty()) {
            return root;
        }
        Path parent = parentDir(components, false, entry);
        if (parent == null) {
            return null;
        }
        Path p = parent.resolve(components.getLast());
        return stat(p) == null ? null : p;
    }

    /**
     * The host path of {@code path} inside the root with every symlink, the final one included,
     * followed within the root (how a process chrooted into it would see the file); empty when it
     * does not exist.
     */
    public java.util.Optional<Path> resolveFollowing(String path) {
        List<String> comps = clean(path, "path");
        for (int hops = 0; hops <= maxHops; hops++) {
            if (comps.isEmpty()) {
                return java.util.Optional.of(root);
            }
            Path parent = parentDir(comps, false, path);
            if (parent == null) {
                return java.util.Optional.empty();
            }
            Path p = parent.resolve(comps.getLast());
            BasicFileAttributes a = stat(p);
            if (a == null) {
                return java.util.Optional.empty();
            }
            if (!a.isSymbolicLink()) {
                return java.util.Optional.of(p);
            }
            String target = readLink(p);
            String base = target.startsWith("/") ? "" : root.relativize(parent).toString();
            comps = cleanClamped(base + "/" + target);
        }
        throw new io.berth.image.ImageException("resolve " + path + " in " + root + ": more than " + maxHops
                + " symlinks (a loop?)");
    }

    /** Like {@link #clean} but a ".." at the root stays at the root, as the kernel does for "/..". */
    private static List<String> cleanClamped(String name) {
        List<String> out = new ArrayList<>();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!out.isEmpty()) {
                    out.removeLast();
                }
                continue;
            }
            out.add(c);
        }
        return out;
    }

    public static BasicFileAttributes stat(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("stat " + p, e);
        }
    }

    private static String readLink(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("readlink " + p, e);
        }
    }
}
