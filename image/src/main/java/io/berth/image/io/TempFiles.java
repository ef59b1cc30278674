package io.berth.image.io;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Uniquely named temporary files and directories next to their targets, created exclusively (0600 / 0700),
 * named from the pid, a counter and the clock. Not {@code Files.createTempFile}: its first use seeds a
 * SecureRandom and links method handles, ~5 ms of every short command that stores anything
 * (docs/benchmarks.md); the names need to be unique, not unguessable, since the directories are ours.
 */
public final class TempFiles {
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final FileAttribute<Set<PosixFilePermission>> FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final FileAttribute<Set<PosixFilePermission>> DIR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private TempFiles() {}

    /** A new empty file {@code dir/prefix<unique>suffix}. */
    public static Path file(Path dir, String prefix, String suffix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return Files.createFile(dir.resolve(prefix + unique() + suffix), FILE);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    /** A new empty directory {@code dir/prefix<unique>}. */
    public static Path directory(Path dir, String prefix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return Files.createDirectory(dir.resolve(prefix + unique()), DIR);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    private static String unique() {
        return ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-"
                + Long.toHexString(System.nanoTime());
    }
}
