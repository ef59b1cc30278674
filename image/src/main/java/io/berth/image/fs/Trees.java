package io.berth.image.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Removing file trees without ever following a symlink out of them. */
public final class Trees {
    private Trees() {}

    /** Removes a file, link or whole directory tree; nothing when it does not exist. */
    public static void remove(Path p) throws IOException {
        BasicFileAttributes a = InRoot.stat(p);
        if (a == null) {
            return;
        }
        if (!a.isDirectory()) {
            Files.delete(p);
            return;
        }
        try {
            Files.delete(p);
            return;
        } catch (DirectoryNotEmptyException e) {
            // fall through to the walk (walkFileTree does not follow links by default)
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** {@link #remove} with the IOException unchecked. */
    public static void removeUnchecked(Path p) {
        try {
            remove(p);
        } catch (IOException e) {
            throw new UncheckedIOException("remove " + p, e);
        }
    }
}
