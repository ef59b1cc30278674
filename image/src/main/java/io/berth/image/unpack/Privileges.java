package io.berth.image.unpack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this process runs with uid 0 (chown and mknod are then expected to work). */
final class Privileges {
    private static final boolean ROOT = readRoot();

    private Privileges() {}

    static boolean isRoot() {
        return ROOT;
    }

    private static boolean readRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
