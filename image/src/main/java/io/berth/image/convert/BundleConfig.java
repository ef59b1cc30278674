package io.berth.image.convert;

import io.berth.image.ImageException;
import io.berth.spec.ImageConfig;
import io.berth.spec.runtime.Hooks;
import io.berth.spec.runtime.Linux;
import io.berth.spec.runtime.Mount;
import io.berth.spec.runtime.Namespace;
import io.berth.spec.runtime.Process;
import io.berth.spec.runtime.Spec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Image config → runtime config (image-spec conversion.md), plus Berth's implementation-defined
 * defaults, which follow what runc and containerd give a container: the usual namespaces, mounts,
 * masked and read-only paths, containerd's default capability set, RLIMIT_NOFILE 1024 and
 * noNewPrivileges.
 */
public final class BundleConfig {
    /** The runtime-spec version we write; runc 1.1 and our runtime accept 1.0–1.3 (DESIGN.md). */
    public static final String OCI_VERSION = "1.0.2";
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /**
     * containerd's default set (oci.defaultUnixCaps): what a non-privileged container usually gets.
     * runc's `spec` template keeps only three; containerd and CRI-O give these fourteen, and images
     * expect them (chown in entrypoints, binding low ports).
     */
    static final List<String> DEFAULT_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    static final List<String> MASKED = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
            "/proc/scsi");
    static final List<String> READONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    private BundleConfig() {}

    /** Converts; {@code rootfs} is the unpacked image, read for /etc/passwd and /etc/group. */
    public static Spec convert(ImageConfig image, Path rootfs) {
        ImageConfig.Config c = image.config();

        // conversion.md "Verbatim Fields": Entrypoint + Cmd → process.args ("MUST append").
        List<String> args = new ArrayList<>(c.entrypoint());
        args.addAll(c.cmd());
        // Env verbatim; a default PATH only when the image has none ("SHOULD NOT add entries that have
        // variable names present in Config.Env").
        List<String> env = new ArrayList<>(c.env());
        if (env.stream().noneMatch(e -> e.startsWith("PATH="))) {
            env.addFirst(DEFAULT_PATH);
        }
        String cwd = c.workingDir().orElse("/");
        if (!cwd.startsWith("/")) {
            throw new ImageException("convert config: WorkingDir \"" + cwd + "\" is not an absolute path");
        }
        Process.User user = c.user().map(u -> {
            UserResolver.Resolved r = UserResolver.resolve(u, rootfs);
            return new Process.User(r.uid(), r.gid(), Optional.empty(), r.additionalGids(), Optional.empty());
        }).orElse(Process.User.root());

        Process.Capabilities caps = new Process.Capabilities(DEFAULT_CAPS, DEFAULT_CAPS, List.of(), DEFAULT_CAPS,
                List.of());
        Process process = new Process(false, Optional.empty(), user, args, Optional.empty(), env, cwd,
                Optional.of(caps), List.of(new Process.Rlimit("RLIMIT_NOFILE", 1024, 1024)), true, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

        Linux linux = new Linux(
                List.of(Namespace.of(Namespace.Type.PID), Namespace.of(Namespace.Type.NETWORK),
                        Namespace.of(Namespace.Type.IPC), Namespace.of(Namespace.Type.UTS),
                        Namespace.of(Namespace.Type.MOUNT), Namespace.of(Namespace.Type.CGROUP)),
                List.of(), List.of(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Map.of(), MASKED, READONLY, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());

        return new Spec(OCI_VERSION, Optional.of(new Spec.Root("rootfs", false)), defaultMounts(), Optional.of(process),
                Optional.empty(), Optional.empty(), Hooks.NONE, annotations(image), Optional.of(linux));
    }

    /** conversion.md "Annotation Fields"; Config.Labels take precedence over the implicit ones. */
    static Map<String, String> annotations(ImageConfig image) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("org.opencontainers.image.os", image.os());
        a.put("org.opencontainers.image.architecture", image.architecture());
        image.variant().ifPresent(v -> a.put("org.opencontainers.image.variant", v));
        image.osVersion().ifPresent(v -> a.put("org.opencontainers.image.os.version", v));
        if (!image.osFeatures().isEmpty()) {
            a.put("org.opencontainers.image.os.features", String.join(",", image.osFeatures()));
        }
        image.author().ifPresent(v -> a.put("org.opencontainers.image.author", v));
        image.created().ifPresent(v -> a.put("org.opencontainers.image.created", v));
        image.config().stopSignal().ifPresent(v -> a.put("org.opencontainers.image.stopSignal", v));
        if (!image.config().exposedPorts().isEmpty()) {
            a.put("org.opencontainers.image.exposedPorts", String.join(",", image.config().exposedPorts()));
        }
        a.putAll(image.config().labels());
        return a;
    }

    /** The mounts runc's `spec` gives every container. */
    static List<Mount> defaultMounts() {
        return List.of(
                Mount.of("/proc", "proc", "proc", List.of()),
                Mount.of("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                Mount.of("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                Mount.of("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                Mount.of("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                Mount.of("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                Mount.of("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")));
    }

    /**
     * Unpacks an image into {@code bundle/rootfs} and writes {@code bundle/config.json}. If the
     * conversion fails (an unknown user, say), the rootfs just unpacked is removed again: a bundle is
     * either whole or not there.
     */
    public static Spec unpackBundle(io.berth.image.store.BlobSource blobs, io.berth.image.layout.ResolvedImage img,
            Path bundle, io.berth.image.unpack.UnpackOptions options) {
        Path rootfs = bundle.resolve("rootfs");
        io.berth.image.unpack.Unpacker.unpack(blobs, img.manifest(), img.config(), rootfs, options);
        try {
            return write(img.config(), bundle);
        } catch (RuntimeException e) {
            io.berth.image.fs.Trees.removeUnchecked(rootfs);
            throw e;
        }
    }

    /** Converts and writes {@code bundle/config.json} (atomically) next to {@code bundle/rootfs}. */
    public static Spec write(ImageConfig image, Path bundle) {
        Spec spec = convert(image, bundle.resolve("rootfs"));
        Path target = bundle.resolve("config.json");
        try {
            Path tmp = io.berth.image.io.TempFiles.file(bundle, ".config.json", ".tmp");
            try {
                Files.write(tmp, spec.toBytes());
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("write " + target, e);
        }
        return spec;
    }
}
