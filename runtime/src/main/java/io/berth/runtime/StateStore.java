package io.berth.runtime;

import io.berth.spec.runtime.State;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The containers under {@code --root} (default /run/berth): one directory per container with
 * {@code state.json}, the exec fifo and a lock file. Every read-modify-write of a container holds its lock
 * (an flock on {@code <id>/lock}), so concurrent create/start/delete of one id are serialized.
 */
public final class StateStore {
    /** runc's rule for ids: letters, digits, "_", "+", "-" and ".", not starting with "." */

    private final Path root;

    public StateStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path dir(String id) {
        checkId(id);
        return root.resolve(id);
    }

    public static void checkId(String id) {
        if (id.isEmpty() || id.length() > 1024 || !validId(id)) {
            throw new RuntimeError("invalid container id \"" + id + "\": use letters, digits, _ + - and ., "
                    + "not starting with .");
        }
    }

    /**
     * runc's id rule, [\\w+-][\\w+-.]*, by hand: a regex costs ~0.5 ms per command in the interpreter the
     * launcher runs (docs/benchmarks.md "Runtime").
     */
    private static boolean validId(String id) {
        for (int i = 0; i < id.length(); i++) {
            char ch = id.charAt(i);
            boolean ok = ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '_'
                    || ch == '+' || ch == '-' || ch == '.' && i > 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A held container lock; closing it releases the lock. */
    public static final class Lock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        Lock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                // closing the channel releases the lock anyway
            }
        }
    }

    /** create: makes the container directory; fails if the id is taken (runtime.md "Create"). */
    public Lock createDir(String id) {
        Path d = dir(id);
        try {
            Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
            // 0711: a user-namespaced container root must be able to reach exec.fifo inside it
            Files.createDirectory(d);
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx--x--x"));
        } catch (FileAlreadyExistsException e) {
            throw new RuntimeError("container with id \"" + id + "\" already exists");
        } catch (IOException e) {
            throw new RuntimeError("create: mkdir " + d + ": " + e.getMessage(), e);
        }
        return lock(id);
    }

    public Lock lock(String id) {
        Path f = dir(id).resolve("lock");
        try {
            FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return new Lock(ch, ch.lock());
        } catch (NoSuchFileException e) {
            throw notFound(id);
        } catch (IOException e) {
            throw new RuntimeError("lock " + f + ": " + e.getMessage(), e);
        }
    }

    public static RuntimeError notFound(String id) {
        return new RuntimeError("container \"" + id + "\" does not exist");
    }

    public boolean exists(String id) {
        return Files.isRegularFile(dir(id).resolve("state.json"));
    }

    public void save(Container c) {
        Path d = dir(c.id());
        Path tmp = d.resolve("state.json.tmp");
        try {
            Files.write(tmp, c.toBytes());
            Files.move(tmp, d.resolve("state.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RuntimeError("write " + d.resolve("state.json") + ": " + e.getMessage(), e);
        }
    }

    /** Loads a container with its live status: stored status corrected by whether its process still runs. */
    public Container load(String id) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(dir(id).resolve("state.json"));
        } catch (NoSuchFileException e) {
            throw notFound(id);
        } catch (IOException e) {
            throw new RuntimeError("read state of " + id + ": " + e.getMessage(), e);
        }
        Container c = Container.parse(bytes);
        return c.with(liveStatus(c));
    }

    /**
     * runtime.md "State" status: created while the init waits on the exec fifo, running once start has
     * consumed the fifo, stopped when the process is gone (or its pid now belongs to another process), and
     * runc's "paused" while the container's freezer cgroup is frozen.
     */
    State.Status liveStatus(Container c) {
        if (c.pid().isEmpty() || !ProcStat.alive(c.pid().get(), c.startTime())) {
            return c.status() == State.Status.CREATING && c.pid().isEmpty() ? State.Status.CREATING
                    : State.Status.STOPPED;
        }
        if (c.status() == State.Status.CREATING) {
            return State.Status.CREATING;
        }
        // runc's order: a frozen cgroup makes the container "paused", whether it was created or running
        if (Freezer.of(cgroups(), c.cgroupPath()).map(Freezer::frozen).orElse(false)) {
            return State.Status.PAUSED;
        }
        return Files.exists(dir(c.id()).resolve("exec.fifo")) ? State.Status.CREATED : State.Status.RUNNING;
    }

    private Cgroups cgroups;

    /** The host's hierarchies, read once per command (list looks at every container). */
    private Cgroups cgroups() {
        if (cgroups == null) {
            cgroups = Cgroups.detect();
        }
        return cgroups;
    }

    public List<String> ids() {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return ids;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p.resolve("state.json"))) {
                    ids.add(p.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new RuntimeError("list " + root + ": " + e.getMessage(), e);
        }
        ids.sort(Comparator.naturalOrder());
        return ids;
    }

    public void remove(String id) {
        Path d = dir(id);
        try (var s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new RuntimeError("delete " + d + ": " + e.getMessage(), e);
        }
    }

    static Optional<String> read(Path p) {
        return Cgroups.read(p);
    }
}
