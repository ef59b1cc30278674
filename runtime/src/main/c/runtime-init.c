/*
 * runtime-init: Berth's in-namespace init stage (the only native part of the runtime).
 *
 * It knows nothing about OCI or JSON. The Java runtime computes a plan and sends it over a FIFO;
 * this program executes it step by step and reports each failure back over a second FIFO as
 *     "error\t<step>\t<path>\t<errno>\t<strerror>\n"
 * so the runtime can name the step, the path and the errno (DESIGN.md "The init stage is native").
 *
 * Usage: runtime-init <prefix>: we create the FIFOs <prefix>.out (to the runtime) and <prefix>.in (from
 * it; made second, so its presence tells the runtime both exist) and open them. FIFOs rather than a
 * unix socket: the JDK's first unix-domain socket costs ~40 ms of CPU (it seeds a SecureRandom).
 *
 * Plan wire format: a little-endian u32 byte count, then NUL-terminated tokens. Each op is a name
 * followed by a fixed number of arguments (see OPS below). Ops run in the order given, in two
 * processes:
 *   - the parent stage (host namespaces): cgroups, setns, clone, uid/gid maps;
 *   - the child stage (new namespaces): mounts, pivot_root, identity, exec fifo, execve.
 *
 * Console (process.terminal): "consock" connects to the --console-socket path in the parent stage (a
 * host path, before any setns/pivot_root), or "ttyproxy" makes a socketpair whose other end the parent
 * stage keeps (run/exec in the foreground: it copies between the caller's terminal and the pty). The
 * child's "console" op opens /dev/ptmx of the container's own devpts after pivot_root, makes the slave
 * its controlling terminal and stdio, and sends the master over that socket with SCM_RIGHTS.
 *
 * Messages to the runtime: "pid <n>\n" (the container process, as seen from the host),
 * "ready\n" (waiting on the exec fifo), and errors as above, or "failmsg\t<text>\n" for failures
 * explained in words (hooks). After "ready" the runtime's `start` reads the exec fifo to its end: "0",
 * then an error text if startContainer hooks or execve failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <poll.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define MAX_PLAN (4 << 20)
#define MAX_LIST 4096

static int report_fd = -1;  /* the FIFO to the Java runtime; -1 once closed */
static int cmd_fd = -1;     /* the FIFO from it: the plan, then hook answers */
static int fifo_fd = -1;    /* the exec fifo once `start` opened it: later failures go there */
static int cap_last = 40;   /* /proc/sys/kernel/cap_last_cap, read by the parent stage */

/* ---------- reporting ---------- */

static void write_full(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

static void say(const char *line) {
    if (report_fd >= 0) write_full(report_fd, line, strlen(line));
}

/* Report "step path errno" and exit. Without a runtime listening, the message goes to `start` through
 * the exec fifo, or else to stderr. */
static void fail_errno(const char *step, const char *path, int err) {
    char buf[8192];
    if (report_fd < 0 && fifo_fd >= 0) {
        snprintf(buf, sizeof buf, "%s %s: %s (errno %d)", step, path ? path : "", strerror(err), err);
        write_full(fifo_fd, buf, strlen(buf));
    } else if (report_fd >= 0) {
        snprintf(buf, sizeof buf, "error\t%s\t%s\t%d\t%s\n", step, path ? path : "", err, strerror(err));
        say(buf);
    } else {
        snprintf(buf, sizeof buf, "berth runtime-init: %s %s: %s\n", step, path ? path : "", strerror(err));
        if (write(2, buf, strlen(buf)) < 0) { /* nothing left to report to */ }
    }
    _exit(127);
}

static void fail(const char *step, const char *path) { fail_errno(step, path, errno); }

/* A failure explained in words (no errno): to the runtime, to `start` through the exec fifo, or stderr. */
static void fail_msg(const char *msg) {
    char buf[8192];
    if (report_fd >= 0) {
        snprintf(buf, sizeof buf, "failmsg\t%s\n", msg);
        say(buf);
    } else if (fifo_fd >= 0) {
        write_full(fifo_fd, msg, strlen(msg));
    } else {
        snprintf(buf, sizeof buf, "berth runtime-init: %s\n", msg);
        write_full(2, buf, strlen(buf));
    }
    _exit(127);
}

/* ---------- CVE-2019-5736: run from a sealed memfd copy of ourselves ---------- */

/*
 * If /proc/self/exe is not a sealed memfd, copy it into one, seal it and fexecve it. A process in
 * the container that opens /proc/<init>/exe then only reaches the sealed copy, never the host
 * binary. We also become non-dumpable below.
 */
static void ensure_sealed(char **argv, char **envp) {
    int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (self < 0) fail("open-self", "/proc/self/exe");
    int seals = fcntl(self, F_GET_SEALS);
    if (seals >= 0 && (seals & F_SEAL_WRITE)) {
        close(self);
        return;
    }
    int mfd = memfd_create("berth-runtime-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (mfd < 0 && errno == EINVAL) mfd = memfd_create("berth-runtime-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0) fail("memfd_create", "");
    struct stat st;
    if (fstat(self, &st) < 0) fail("fstat", "/proc/self/exe");
    off_t off = 0;
    while (off < st.st_size) {
        ssize_t n = sendfile(mfd, self, &off, (size_t)(st.st_size - off));
        if (n <= 0) fail("sendfile", "/proc/self/exe");
    }
    if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
        fail("seal", "memfd");
    close(self);
    fexecve(mfd, argv, envp);
    fail("fexecve", "memfd");
}

/* ---------- the plan ---------- */

static char *toks[MAX_PLAN / 2];
static int ntok;

static void read_full(int fd, void *buf, size_t n) {
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) fail("read-plan", "");
        if (r == 0) fail_errno("read-plan", "short plan", EPIPE);
        p += r;
        n -= (size_t)r;
    }
}

static void read_plan(int fd) {
    uint32_t len;
    read_full(fd, &len, sizeof len);
    if (len == 0 || len > MAX_PLAN) fail_errno("read-plan", "plan size", EINVAL);
    char *buf = malloc(len + 1);
    if (!buf) fail("malloc", "plan");
    read_full(fd, buf, len);
    buf[len] = 0;
    for (char *p = buf; p < buf + len; p += strlen(p) + 1) toks[ntok++] = p;
}

static unsigned long num(const char *s) { return strtoul(s, NULL, 0); }
static unsigned long long num64(const char *s) { return strtoull(s, NULL, 0); }

/* Ops and their argument counts. Parent-stage ops are marked P, child-stage ops C. */
static const struct { const char *name; int nargs; char stage; } OPS[] = {
    {"inherit", 2, 'P'},     /* caller pid, n: reopen the caller's fds 3..3+n-1 as ours (--preserve-fds) */
    {"cgroup", 1, 'P'},      /* cgroup.procs path to join before clone */
    {"setns", 2, 'P'},       /* CLONE_NEW* flag, namespace path */
    {"unshare", 1, 'P'},     /* flags applied to ourselves (CLONE_NEWTIME affects children) */
    {"clone", 1, 'P'},       /* CLONE_NEW* flags for the container process */
    {"timens", 1, 'P'},      /* /proc/self/timens_offsets lines, after unshare(CLONE_NEWTIME) */
    {"uidmap", 1, 'P'},      /* uid_map contents, written by the parent stage */
    {"gidmap", 1, 'P'},      /* gid_map contents */
    {"mkfifo", 3, 'P'},      /* the exec fifo (host path), owner uid gid (the container's root) */
    {"wait", 0, 'P'},        /* stay and wait for the container (run in the foreground) */
    {"consock", 1, 'P'},     /* connect to the console socket (host path) for the "console" op */
    {"ttyproxy", 0, 'P'},    /* no console socket: the parent stage receives the pty master itself and
                              * copies it to/from the caller's terminal (needs "wait") */
    {"propagation", 1, 'C'}, /* mount flags for "/" in the new mount namespace */
    {"rootfs", 1, 'C'},      /* host path of the rootfs: bind onto itself, root for later paths */
    {"rootfs-host", 1, 'C'}, /* the same without a mount namespace: the host's propagation untouched */
    {"mount", 6, 'C'},       /* source target fstype flags propagation-flags data */
    {"rattr", 3, 'C'},       /* target attr_set attr_clr: mount_setattr(AT_RECURSIVE) (rro, rnosuid...) */
    {"usernsfd", 2, 'P'},    /* uid_map gid_map: a user namespace for an idmapped mount, made with the host's
                              * /proc before the clone; the child takes them in order */
    {"idmap", 1, 'C'},       /* recursive: the next bind "mount" is idmapped with the next usernsfd */
    {"mknod", 6, 'C'},       /* target mode(with S_IF*) major minor uid gid */
    {"bindev", 2, 'C'},      /* host device path, target: bind mount (user namespaces) */
    {"symlink", 2, 'C'},     /* link contents, target */
    {"oom", 1, 'C'},         /* oom_score_adj */
    {"fifo", 2, 'P'},        /* directory of the exec fifo, its name: opened on the host side, so a
                              * user-namespaced child needs no access to the state directory */
    {"sync", 0, 'C'},        /* say "sync", wait for the runtime's go-ahead (it runs hooks meanwhile) */
    {"pivot", 0, 'C'},       /* pivot_root into the rootfs */
    {"chroot", 0, 'C'},      /* chroot into the rootfs (--no-pivot) */
    {"console", 4, 'C'},     /* rows cols uid bind-on-/dev/console: the pty (after pivot or setns) */
    {"mask", 1, 'C'},        /* masked path (after pivot) */
    {"readonly", 1, 'C'},    /* readonly path (after pivot) */
    {"rootro", 0, 'C'},      /* remount the root read-only */
    {"hostname", 1, 'C'},
    {"domainname", 1, 'C'},
    {"sysctl", 2, 'C'},      /* /proc/sys relative path, value */
    {"personality", 1, 'C'}, /* personality(2) execution domain */
    {"rlimit", 3, 'C'},      /* resource soft hard */
    {"umask", 1, 'C'},
    {"identity", 8, 'C'},    /* uid gid groups(csv) bounding effective permitted inheritable ambient */
    {"nnp", 0, 'C'},
    {"seccomp", 3, 'C'},     /* flags, hold (1: keep CAP_SYS_ADMIN until it is installed), hex-encoded
                              * sock_filter program: checked now, installed right before execve */
    {"cwd", 1, 'C'},
    {"hookarg", 1, 'C'},     /* an argv entry of the next hook */
    {"hookenv", 1, 'C'},     /* an environment entry of the next hook */
    {"hook", 5, 'C'},        /* phase path timeout-seconds state-before-pid state-after-pid: a
                              * createContainer hook runs at once (before pivot_root), a startContainer
                              * hook after `start` released the exec fifo, just before execve */
    {"preserve", 1, 'C'},    /* keep fds 3..3+n-1 */
    {"env", 1, 'C'},
    {"arg", 1, 'C'},
    {"exec", 0, 'C'},        /* resolve argv[0], report ready, wait on the fifo, execve */
};

static int op_nargs(const char *name, char *stage) {
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
        if (strcmp(OPS[i].name, name) == 0) {
            *stage = OPS[i].stage;
            return OPS[i].nargs;
        }
    fail_errno("plan", name, EINVAL);
    return 0;
}

/* ---------- paths inside the rootfs ---------- */

static int rootfd = -1;

/* Open a container path with every component (symlinks included) resolved inside the rootfs
 * (CVE-2021-30465 class): openat2 RESOLVE_IN_ROOT treats rootfd as "/" for absolute links and "..". */
static int open_in_root(const char *path, int flags) {
    struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    while (*path == '/') path++;
    if (*path == 0) return fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
    return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

/* Create the missing components of a container path: directories, and the last one as a directory
 * or (file != 0) an empty file. Each parent is opened in the root before creating inside it. */
static int depth; /* symlinks followed by make_in_root */

static void make_in_root(const char *path, int file) {
    char buf[4096];
    if (strlen(path) >= sizeof buf) fail_errno("mkdir", path, ENAMETOOLONG);
    strcpy(buf, path);
    int fd = open_in_root(buf, O_PATH);
    if (fd >= 0) { close(fd); return; }
    char *slash = strrchr(buf, '/');
    if (slash && slash != buf) {
        *slash = 0;
        make_in_root(buf, 0);
        *slash = '/';
    }
    const char *base = slash ? slash + 1 : buf;
    char parent[4096];
    snprintf(parent, sizeof parent, "%.*s", (int)(slash ? slash - buf : 0), buf);
    int pfd = open_in_root(parent, O_PATH | O_DIRECTORY);
    if (pfd < 0) fail("open", parent);
    int r;
    if (file) {
        r = openat(pfd, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (r >= 0) close(r);
    } else {
        r = mkdirat(pfd, base, 0755);
    }
    if (r < 0 && errno != EEXIST) fail(file ? "create" : "mkdir", path);
    if (r < 0) {
        /* A dangling symlink: create what it points to, resolved inside the rootfs like openat2 would
         * (an absolute target is relative to the rootfs, never the host). */
        char link[4096], next[8192];
        ssize_t n = readlinkat(pfd, base, link, sizeof link - 1);
        if (n > 0) {
            link[n] = 0;
            if (++depth > 40) fail_errno("mkdir", path, ELOOP);
            if (link[0] == '/') snprintf(next, sizeof next, "%s", link);
            else snprintf(next, sizeof next, "%s/%s", parent, link);
            make_in_root(next, file);
            depth--;
        }
    }
    close(pfd);
}

static void fd_path(int fd, char *out, size_t n) { snprintf(out, n, "/proc/self/fd/%d", fd); }

/* Flags a bind remount must keep: in a user namespace locked flags cannot be cleared. */
static unsigned long kept_flags(const char *path) {
    struct statvfs s;
    if (statvfs(path, &s) < 0) return 0;
    unsigned long f = 0;
    if (s.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (s.f_flag & ST_NODEV) f |= MS_NODEV;
    if (s.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (s.f_flag & ST_NOATIME) f |= MS_NOATIME;
    if (s.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (s.f_flag & ST_RELATIME) f |= MS_RELATIME;
    return f;
}

/* ---------- idmapped mounts (config.md "Mounts": uidMappings/gidMappings, options idmap/ridmap) ---------- */

static void write_file(const char *path, const char *value, const char *step);

static int userns_fds[64], nuserns, next_userns; /* made by "usernsfd" in the parent stage */
static int idmap_ns = -1;                         /* set by "idmap" for the next bind mount */
static int idmap_recursive;

/* A user namespace with these mappings, as an fd: a child unshares one and waits; we write its maps. */
static int userns_with(const char *uidmap, const char *gidmap) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) fail("pipe", "idmap");
    pid_t c = fork();
    if (c < 0) fail("fork", "idmap");
    if (c == 0) {
        char x = unshare(CLONE_NEWUSER) < 0 ? 'e' : 'u';
        if (write(p[1], &x, 1) != 1) _exit(1);
        pause(); /* killed once its namespace is opened */
        _exit(0);
    }
    close(p[1]);
    char x = 0;
    if (read(p[0], &x, 1) != 1 || x != 'u') fail_errno("unshare", "idmap user namespace", EPERM);
    close(p[0]);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/uid_map", c);
    write_file(path, uidmap, "idmap uid_map");
    snprintf(path, sizeof path, "/proc/%d/gid_map", c);
    write_file(path, gidmap, "idmap gid_map");
    snprintf(path, sizeof path, "/proc/%d/ns/user", c);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("open", path);
    kill(c, SIGKILL);
    while (waitpid(c, NULL, 0) < 0 && errno == EINTR) {}
    return fd;
}

/* The bind step of an idmapped mount: a detached copy of src (with its submounts for rbind), idmapped
 * (the submounts too for ridmap), moved onto the target fd. */
static void idmapped_bind(const char *src, int target, const char *dst, int rbind) {
    int tree = (int)syscall(SYS_open_tree, AT_FDCWD, src,
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rbind ? AT_RECURSIVE : 0));
    if (tree < 0) fail("open_tree", src);
    int ns = idmap_ns;
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)ns};
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | (idmap_recursive ? AT_RECURSIVE : 0), &attr,
                sizeof attr) < 0)
        fail("mount_setattr-idmap", dst);
    if (syscall(SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        fail("move_mount", dst);
    close(ns);
    close(tree);
    idmap_ns = -1;
}

/* config.md "Mounts": mount source on a target resolved inside the rootfs. Bind mounts with other
 * flags take a second, remount step (flags on a bind are ignored by the first mount(2)). */
static void do_mount(char **a) {
    const char *src = a[0], *dst = a[1], *type = a[2], *data = a[5];
    unsigned long flags = num(a[3]), prop = num(a[4]);
    char p[64];
    int fd;
    if (flags & MS_BIND) {
        struct stat st;
        if (stat(src, &st) < 0) fail("stat", src);
        make_in_root(dst, !S_ISDIR(st.st_mode));
        fd = open_in_root(dst, O_PATH);
        if (fd < 0) fail("open", dst);
        fd_path(fd, p, sizeof p);
        if (idmap_ns >= 0) idmapped_bind(src, fd, dst, (flags & MS_REC) != 0);
        else if (mount(src, p, NULL, MS_BIND | (flags & MS_REC), NULL) < 0) fail("mount", dst);
        close(fd);
        unsigned long rest = flags & ~(MS_BIND | MS_REC);
        if (rest) {
            fd = open_in_root(dst, O_PATH); /* reopen: now the bind mount itself */
            if (fd < 0) fail("open", dst);
            fd_path(fd, p, sizeof p);
            if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | rest | kept_flags(p), NULL) < 0) fail("remount", dst);
            close(fd);
        }
    } else {
        make_in_root(dst, 0);
        fd = open_in_root(dst, O_PATH | O_DIRECTORY);
        if (fd < 0) fail("open", dst);
        fd_path(fd, p, sizeof p);
        if (mount(src, p, type, flags, *data ? data : NULL) < 0) {
            /* EPERM/EBUSY on sysfs in a user namespace without a network namespace: runc's fallback
             * is a read-only bind of the host's /sys. */
            if (strcmp(type, "sysfs") == 0 && (errno == EPERM || errno == EBUSY)) {
                if (mount("/sys", p, NULL, MS_BIND | MS_REC, NULL) < 0) fail("mount", dst);
            } else {
                fail("mount", dst);
            }
        }
        close(fd);
    }
    if (prop) {
        fd = open_in_root(dst, O_PATH);
        if (fd < 0) fail("open", dst);
        fd_path(fd, p, sizeof p);
        if (mount(NULL, p, NULL, prop, NULL) < 0) fail("mount-propagation", dst);
        close(fd);
    }
}

static int parent_in_root(const char *path, const char **base) {
    const char *slash = strrchr(path, '/');
    char parent[4096];
    snprintf(parent, sizeof parent, "%.*s", (int)(slash ? slash - path : 0), path);
    *base = slash ? slash + 1 : path;
    make_in_root(parent, 0);
    int fd = open_in_root(parent, O_PATH | O_DIRECTORY);
    if (fd < 0) fail("open", parent);
    return fd;
}

/* config-linux.md "Devices": "Runtimes MAY supply them as they see fit" - mknod when we can. */
static void do_mknod(char **a) {
    const char *base;
    int pfd = parent_in_root(a[0], &base);
    mode_t mode = (mode_t)num(a[1]);
    dev_t dev = makedev(num(a[2]), num(a[3]));
    if (mknodat(pfd, base, mode, dev) < 0) {
        struct stat st;
        if (errno != EEXIST) fail("mknod", a[0]);
        /* config-linux.md "Devices": a file already at path that does not match the device is an error */
        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) fail("stat", a[0]);
        if ((st.st_mode & S_IFMT) != (mode & S_IFMT) || st.st_rdev != dev)
            fail_errno("mknod (a different file is already there)", a[0], EEXIST);
    }
    if (fchownat(pfd, base, (uid_t)num(a[4]), (gid_t)num(a[5]), AT_SYMLINK_NOFOLLOW) < 0) fail("chown", a[0]);
    if (fchmodat(pfd, base, (mode_t)num(a[1]) & 07777, 0) < 0) fail("chmod", a[0]);
    close(pfd);
}

static void do_symlink(char **a) {
    const char *base;
    int pfd = parent_in_root(a[1], &base);
    if (symlinkat(a[0], pfd, base) < 0 && errno != EEXIST) fail("symlink", a[1]);
    close(pfd);
}

static void write_file(const char *path, const char *value, const char *step) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) fail(step, path);
    if (write(fd, value, strlen(value)) < 0) fail(step, path);
    close(fd);
}

/* config-linux.md "Masked Paths": "MUST render them not readable". Runs after pivot_root. */
static void do_mask(const char *path) {
    struct stat st;
    if (lstat(path, &st) < 0) {
        if (errno == ENOENT) return;
        fail("mask", path);
    }
    if (S_ISDIR(st.st_mode)) {
        if (mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0k") < 0) fail("mask", path);
    } else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
        fail("mask", path);
    }
}

/* config-linux.md "Readonly Paths": "MUST be made read-only". */
static void do_readonly(const char *path) {
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        if (errno == ENOENT) return;
        fail("readonly", path);
    }
    if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_REC | MS_RDONLY | kept_flags(path), NULL) < 0)
        fail("readonly", path);
}

/* The "propagation" op's flags: applied to "/" of the mount namespace first, and again to the new root
 * once it is "/" (config-linux.md "rootfsPropagation" is about the container's root). */
static unsigned long root_prop;

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s) {
    char *w = s;
    for (char *r = s; *r; w++) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
            *w = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
            r += 4;
        } else {
            *w = *r++;
        }
    }
    *w = 0;
}

/* pivot_root(2) refuses (EINVAL) a new root whose parent mount is shared, and a shared parent would carry
 * the rootfs bind mount to its peers: the mount holding the rootfs becomes private first (in this mount
 * namespace only), as runc does. The last matching mountinfo line is the mount on top. */
static void rootfs_parent_private(const char *rootfs) {
    char real[PATH_MAX], best[PATH_MAX] = "";
    if (!realpath(rootfs, real)) fail("realpath", rootfs);
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f) fail("open", "/proc/self/mountinfo");
    char *line = NULL;
    size_t cap = 0, bestlen = 0;
    int best_shared = 0;
    while (getline(&line, &cap, f) > 0) {
        /* id parent major:minor root mount-point options [optional fields...] - fstype source super-options */
        char *save = NULL, *mp = NULL;
        int shared = 0, field = 0;
        for (char *t = strtok_r(line, " \n", &save); t; t = strtok_r(NULL, " \n", &save), field++) {
            if (field == 4) mp = t;
            else if (field >= 6 && !strcmp(t, "-")) break;
            else if (field >= 6 && !strncmp(t, "shared:", 7)) shared = 1;
        }
        if (!mp) continue;
        unescape_octal(mp);
        size_t n = strlen(mp);
        int inside = !strcmp(mp, "/") || (!strncmp(real, mp, n) && (real[n] == '/' || real[n] == 0));
        if (inside && n >= bestlen && n < sizeof best) {
            memcpy(best, mp, n + 1);
            bestlen = n;
            best_shared = shared;
        }
    }
    free(line);
    fclose(f);
    if (best_shared && mount(NULL, best, NULL, MS_PRIVATE, NULL) < 0) fail("mount-private", best);
}

/* runc applies rootfsPropagation to the new "/" after the pivot, except private (already so). */
static void root_propagation_again(void) {
    if (root_prop && !(root_prop & MS_PRIVATE) && mount(NULL, "/", NULL, root_prop, NULL) < 0)
        fail("mount-propagation", "/ (new root)");
}

/* runtime.md: the runtime's own pivot, as "pivot_root(".", ".")" then a lazy unmount of the old root. */
static void do_pivot(void) {
    if (fchdir(rootfd) < 0) fail("chdir", "rootfs");
    if (syscall(SYS_pivot_root, ".", ".") < 0) fail("pivot_root", "rootfs");
    /* the old root may propagate to the host: make it private before detaching it */
    if (mount(NULL, ".", NULL, MS_REC | MS_SLAVE, NULL) < 0) fail("mount-slave", "old root");
    if (umount2(".", MNT_DETACH) < 0) fail("umount", "old root");
    if (chdir("/") < 0) fail("chdir", "/");
    root_propagation_again();
}

static void do_chroot(void) {
    if (fchdir(rootfd) < 0) fail("chdir", "rootfs");
    if (chroot(".") < 0) fail("chroot", "rootfs");
    if (chdir("/") < 0) fail("chdir", "/");
    root_propagation_again();
}

/* ---------- seccomp ---------- */

/* config-linux.md "Seccomp": Java compiled the profile; we keep the program and install it in do_exec,
 * after the exec fifo and close_range, so execve is the only syscall of ours the filter sees (with
 * "hold": also the capset that drops CAP_SYS_ADMIN). seccomp(2) needs no_new_privs or CAP_SYS_ADMIN;
 * without no_new_privs and without CAP_SYS_ADMIN among the container's capabilities, identity keeps
 * CAP_SYS_ADMIN (effective+permitted) until the filter is in, then drops it. */
static struct sock_fprog seccomp_prog;
static unsigned seccomp_flags;
static int seccomp_pending, seccomp_hold;
static struct __user_cap_data_struct final_caps[2];

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static void do_seccomp(char **a) {
    seccomp_flags = (unsigned)num(a[0]);
    seccomp_hold = (int)num(a[1]);
    size_t hex = strlen(a[2]);
    size_t n = hex / 2 / sizeof(struct sock_filter);
    if (n == 0 || n > BPF_MAXINSNS || hex % (2 * sizeof(struct sock_filter)))
        fail_errno("seccomp", "program length", EINVAL);
    struct sock_filter *f = malloc(hex / 2);
    if (!f) fail("malloc", "seccomp");
    unsigned char *b = (unsigned char *)f;
    for (size_t i = 0; i < hex / 2; i++) {
        int hi = hexval(a[2][2 * i]), lo = hexval(a[2][2 * i + 1]);
        if (hi < 0 || lo < 0) fail_errno("seccomp", "program hex", EINVAL);
        b[i] = (unsigned char)(hi << 4 | lo);
    }
    seccomp_prog.len = (unsigned short)n;
    seccomp_prog.filter = f;
    seccomp_pending = 1;
    /* Check now that the kernel takes this program and these flags, so a refusal fails create (with
     * the errno) rather than the container after start: a throwaway child installs it and exits. */
    pid_t c = fork();
    if (c < 0) fail("fork", "seccomp check");
    if (c == 0) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) _exit(errno & 0xff);
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, seccomp_flags, &seccomp_prog) < 0) _exit(errno & 0xff);
        _exit(0);
    }
    int st;
    while (waitpid(c, &st, 0) < 0)
        if (errno != EINTR) fail("waitpid", "seccomp check");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_errno("seccomp", "the kernel refused the compiled filter", WIFEXITED(st) ? WEXITSTATUS(st) : EINVAL);
}

static void install_seccomp(void) {
    if (!seccomp_pending) return;
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, seccomp_flags, &seccomp_prog) < 0) fail("seccomp", "");
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    if (seccomp_hold && syscall(SYS_capset, &h, final_caps) < 0) fail("capset", "drop CAP_SYS_ADMIN after seccomp");
}

/* config.md "capabilities" and "user": groups, gid, uid, then the five capability sets. */
static void do_identity(char **a) {
    uid_t uid = (uid_t)num(a[0]);
    gid_t gid = (gid_t)num(a[1]);
    gid_t groups[MAX_LIST];
    int ng = 0;
    for (char *p = a[2]; *p && ng < MAX_LIST;) {
        groups[ng++] = (gid_t)strtoul(p, &p, 10);
        if (*p == ',') p++;
    }
    unsigned long long bnd = num64(a[3]), eff = num64(a[4]), prm = num64(a[5]), inh = num64(a[6]),
                       amb = num64(a[7]);
    for (int c = 0; c <= cap_last; c++)
        if (!(bnd & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
            fail("capbset_drop", "");
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) fail("prctl-keepcaps", "");
    if (setgroups((size_t)ng, groups) < 0 && !(errno == EPERM && ng == 0)) fail("setgroups", "");
    if (setresgid(gid, gid, gid) < 0) fail("setgid", a[1]);
    if (setresuid(uid, uid, uid) < 0) fail("setuid", a[0]);
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    final_caps[0] = (struct __user_cap_data_struct){(uint32_t)eff, (uint32_t)prm, (uint32_t)inh};
    final_caps[1] = (struct __user_cap_data_struct){(uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32)};
    if (seccomp_pending && seccomp_hold) {
        eff |= 1ULL << CAP_SYS_ADMIN;
        prm |= 1ULL << CAP_SYS_ADMIN;
    }
    struct __user_cap_data_struct d[2] = {
        {(uint32_t)eff, (uint32_t)prm, (uint32_t)inh},
        {(uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32)}};
    if (syscall(SYS_capset, &h, d) < 0) fail("capset", "");
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) fail("prctl-keepcaps", "");
    /* The kernel only raises an ambient cap that is also permitted and inheritable; runc's default
     * spec lists ambient caps without inheritable ones and runc skips them, so do we (EPERM). */
    for (int c = 0; c <= cap_last; c++)
        if ((amb & (1ULL << c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0 && errno != EPERM)
            fail("ambient-raise", "");
}

/* ---------- the console (config.md "terminal", runc's --console-socket protocol) ---------- */

static int console_sock = -1; /* where the pty master goes: the --console-socket or our socketpair end */
static int proxy_sock = -1;   /* ttyproxy: the parent stage's end of that socketpair */
static int host_tty = -1;     /* ttyproxy: the caller's terminal (for raw mode and its size) */

/* Move an fd above the range --preserve-fds may use, close-on-exec. */
static int high_fd(int fd, const char *what) {
    int h = fcntl(fd, F_DUPFD_CLOEXEC, 64);
    if (h < 0) fail("dup", what);
    close(fd);
    return h;
}

/* connect(2) to a unix socket path; a path longer than sun_path goes through /proc/self/fd. */
static int connect_unix(const char *path) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int pfd = -1;
    if (strlen(path) < sizeof sa.sun_path) {
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    } else {
        pfd = open(path, O_PATH | O_CLOEXEC);
        if (pfd < 0) fail("open-console-socket", path);
        snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d", pfd);
    }
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) fail("socket", path);
    if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) fail("connect-console-socket", path);
    if (pfd >= 0) close(pfd);
    return s;
}

/* The caller's terminal for "run"/"exec" in the foreground: stderr, stdout, stdin, else /dev/tty. */
static void open_host_tty(void) {
    for (int fd = 2; fd >= 0; fd--)
        if (isatty(fd)) {
            host_tty = fd;
            return;
        }
    host_tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (host_tty < 0)
        fail("process.terminal: running in the foreground attaches the container's terminal to the caller's, "
             "but stdin, stdout and stderr are not terminals and /dev/tty cannot be opened (use --detach with "
             "--console-socket, or set terminal to false)", "/dev/tty");
}

/* One fd over a unix socket (SCM_RIGHTS); the payload names it, as runc's sender does. */
static void send_fd(int sock, int fd, const char *name) {
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } c;
    memset(&c, 0, sizeof c);
    struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b, .msg_controllen = sizeof c.b};
    struct cmsghdr *h = CMSG_FIRSTHDR(&msg);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(h), &fd, sizeof fd);
    while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
        if (errno != EINTR) fail("send-console-master", name);
}

static int recv_fd(int sock) {
    char buf[256];
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } c;
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b, .msg_controllen = sizeof c.b};
    ssize_t r;
    while ((r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {}
    struct cmsghdr *h = r > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
    if (!h || h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS) return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(h), sizeof fd);
    return fd;
}

/*
 * The "console" op, in the container (after pivot_root, or after setns for exec): a new session, a pty
 * from the container's /dev/ptmx (its own devpts instance), the window size, the master sent to the
 * console socket, the slave as controlling terminal and stdin/stdout/stderr.
 */
static void do_console(char **a) {
    if (console_sock < 0) fail_errno("console", "no console socket", EBADF);
    if (setsid() < 0) fail("setsid", "");
    int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) fail("open", "/dev/ptmx");
    int n, unlock = 0;
    if (ioctl(m, TIOCGPTN, &n) < 0) fail("console: not a pty multiplexer (TIOCGPTN)", "/dev/ptmx");
    if (ioctl(m, TIOCSPTLCK, &unlock) < 0) fail("unlockpt", "/dev/ptmx");
    char name[64];
    snprintf(name, sizeof name, "/dev/pts/%d", n);
    /* the peer of this very master, without a path lookup in /dev/pts */
    int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) fail("open-pty-peer", name);
    struct winsize ws = {.ws_row = (unsigned short)num(a[0]), .ws_col = (unsigned short)num(a[1])};
    if (ws.ws_row && ws.ws_col && ioctl(s, TIOCSWINSZ, &ws) < 0) fail("console-size", name);
    long uid = strtol(a[2], NULL, 10);
    if (uid >= 0 && fchown(s, (uid_t)uid, (gid_t)-1) < 0) fail("chown", name);
    if (num(a[3])) {
        /* runtime-linux.md "/dev/console": bind the pty slave there */
        int f = open("/dev/console", O_CREAT | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0600);
        if (f < 0) fail("create", "/dev/console");
        close(f);
        if (mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0) fail("mount", "/dev/console");
    }
    send_fd(console_sock, m, "/dev/ptmx"); /* the payload names the master, as runc's does */
    close(m);
    if (proxy_sock >= 0) {
        /* our own parent stage holds the master: wait until it has sized the pty like the caller's
         * terminal, so the process never sees consoleSize first (runc's resize races with the start) */
        char ack;
        close(proxy_sock);
        while (read(console_sock, &ack, 1) < 0 && errno == EINTR) {}
    }
    close(console_sock);
    console_sock = -1;
    for (int fd = 0; fd < 3; fd++)
        if (dup2(s, fd) < 0) fail("dup2", name);
    if (s > 2) close(s);
    if (ioctl(0, TIOCSCTTY, 0) < 0) fail("set-controlling-tty", name);
}

static int sig_w = -1; /* ttyproxy: SIGCHLD and SIGWINCH become bytes on this pipe */

static void to_pipe(int sig) {
    char c = (char)sig;
    int e = errno;
    if (write(sig_w, &c, 1) < 0) { /* full: a wakeup is pending anyway */ }
    errno = e;
}

static void copy_size(int master) {
    struct winsize ws;
    if (ioctl(host_tty, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) ioctl(master, TIOCSWINSZ, &ws);
}

/* run/exec in the foreground with a terminal: the caller's terminal in raw mode, its size on the pty,
 * stdin to the master and the master to stdout until the container exits. Returns its wait status. */
static int proxy_tty(pid_t pid, int sig_r) {
    int master = recv_fd(proxy_sock);
    int status = 0, reaped = 0;
    if (master >= 0) {
        struct termios saved, raw;
        int restore = tcgetattr(host_tty, &saved) == 0;
        if (restore) {
            raw = saved;
            cfmakeraw(&raw);
            tcsetattr(host_tty, TCSANOW, &raw);
        }
        copy_size(master);
        if (send(proxy_sock, "1", 1, MSG_NOSIGNAL) < 0) { /* the child is gone: the loop ends at once */ }
        struct pollfd p[3] = {{sig_r, POLLIN, 0}, {master, POLLIN, 0}, {0, POLLIN, 0}};
        int nfds = 3;
        char buf[8192];
        for (;;) {
            if (poll(p, (nfds_t)nfds, -1) < 0) {
                if (errno == EINTR) continue;
                break;
            }
            if (p[0].revents & POLLIN) {
                char c;
                if (read(sig_r, &c, 1) == 1 && c == SIGWINCH) copy_size(master);
                if (waitpid(pid, &status, WNOHANG) == pid) {
                    /* the container is gone: what it wrote is still in the pty */
                    reaped = 1;
                    fcntl(master, F_SETFL, O_NONBLOCK);
                    ssize_t r;
                    while ((r = read(master, buf, sizeof buf)) > 0) write_full(1, buf, (size_t)r);
                    break;
                }
            }
            if (p[1].revents) {
                ssize_t r = read(master, buf, sizeof buf);
                if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) break; /* EIO: no slave left */
                if (r > 0) write_full(1, buf, (size_t)r);
            }
            if (nfds == 3 && p[2].revents) {
                ssize_t r = read(0, buf, sizeof buf);
                if (r == 0 || (r < 0 && errno != EINTR)) nfds = 2; /* stdin ended; the pty stays open */
                if (r > 0) write_full(master, buf, (size_t)r);
            }
        }
        if (restore) tcsetattr(host_tty, TCSANOW, &saved);
        close(master);
    }
    close(proxy_sock);
    if (!reaped)
        while (waitpid(pid, &status, 0) < 0)
            if (errno != EINTR) return -1;
    return status;
}

/* ---------- createContainer and startContainer hooks (config.md "POSIX-platform Hooks") ---------- */

#define MAX_HOOKS 64

struct hook {
    const char *phase, *path, *pre, *post; /* the state JSON is pre + host pid + post */
    int timeout, index;
    char **argv, **envp;
};

static char *hargv[MAX_LIST], *henv[MAX_LIST];
static int nhargv, nhenv, ncreate;
static struct hook start_hooks[MAX_HOOKS];
static int nstart;
static pid_t host_pid; /* the container process as the host sees it, sent by the parent stage */

static char **list_copy(char **l, int n) {
    char **c = malloc((size_t)(n + 1) * sizeof *c);
    if (!c) fail("malloc", "hook");
    memcpy(c, l, (size_t)n * sizeof *c);
    c[n] = NULL;
    return c;
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Hook output goes into error messages: one line, printable. */
static void one_line(char *s) {
    for (char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20) *p = ' ';
    for (size_t n = strlen(s); n > 0 && s[n - 1] == ' '; n--) s[n - 1] = 0;
}

/*
 * Runs a hook with the state on stdin and stdout+stderr captured (runc puts them into its error), kills
 * it when it runs past its timeout, and fails the container with a message naming the hook otherwise.
 */
static void run_hook(const struct hook *h) {
    size_t len = strlen(h->pre) + strlen(h->post) + 24;
    char *state = malloc(len);
    if (!state) fail("malloc", "hook state");
    snprintf(state, len, "%s%d%s", h->pre, (int)host_pid, h->post);
    len = strlen(state);
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) fail("pipe", h->path);
    pid_t pid = fork();
    if (pid < 0) fail("fork", h->path);
    if (pid == 0) {
        if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0) _exit(127);
        syscall(SYS_close_range, 3, ~0U, 0);
        execve(h->path, h->argv, h->envp);
        char m[512];
        snprintf(m, sizeof m, "exec %s: %s", h->path, strerror(errno));
        write_full(2, m, strlen(m));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    /* A hook that exits without reading its stdin must not kill us with SIGPIPE. */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGPIPE, &ign, &old);
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    int wfd = in[1], rfd = out[0], status = 0;
    size_t off = 0, olen = 0;
    char output[2048] = "";
    long long deadline = h->timeout > 0 ? now_ms() + 1000LL * h->timeout : -1;
    for (;;) {
        struct pollfd p[2];
        int np = 0;
        if (rfd >= 0) p[np++] = (struct pollfd){.fd = rfd, .events = POLLIN};
        if (wfd >= 0) p[np++] = (struct pollfd){.fd = wfd, .events = POLLOUT};
        poll(p, (nfds_t)np, 10);
        if (wfd >= 0) {
            ssize_t w = write(wfd, state + off, len - off);
            if (w > 0) off += (size_t)w;
            if (off == len || (w < 0 && errno != EAGAIN && errno != EINTR)) {
                close(wfd);
                wfd = -1;
            }
        }
        while (rfd >= 0) {
            char b[512];
            ssize_t n = read(rfd, b, sizeof b);
            if (n > 0) {
                size_t k = (size_t)n < sizeof output - 1 - olen ? (size_t)n : sizeof output - 1 - olen;
                memcpy(output + olen, b, k);
                olen += k;
                output[olen] = 0;
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                close(rfd);
                rfd = -1;
            }
            break;
        }
        if (waitpid(pid, &status, WNOHANG) == pid) break;
        if (deadline >= 0 && now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            char m[4096];
            one_line(output);
            snprintf(m, sizeof m, "%s hook #%d %s: ran past its timeout of %d s and was killed%s%s", h->phase,
                     h->index, h->path, h->timeout, olen ? "; output: " : "", output);
            fail_msg(m);
        }
    }
    /* what it wrote just before exiting */
    while (rfd >= 0) {
        char b[512];
        ssize_t n = read(rfd, b, sizeof b);
        if (n <= 0) break;
        size_t k = (size_t)n < sizeof output - 1 - olen ? (size_t)n : sizeof output - 1 - olen;
        memcpy(output + olen, b, k);
        olen += k;
        output[olen] = 0;
    }
    if (wfd >= 0) close(wfd);
    if (rfd >= 0) close(rfd);
    sigaction(SIGPIPE, &old, NULL);
    free(state);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
    char m[4096], how[64];
    if (WIFEXITED(status)) snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(status));
    else snprintf(how, sizeof how, "killed by signal %d", WTERMSIG(status));
    one_line(output);
    snprintf(m, sizeof m, "%s hook #%d %s: %s%s%s", h->phase, h->index, h->path, how, olen ? "; output: " : "",
             output);
    fail_msg(m);
}

static void do_hook(char **a) {
    struct hook h = {.phase = a[0], .path = a[1], .timeout = (int)num(a[2]), .pre = a[3], .post = a[4],
                     .argv = list_copy(hargv, nhargv), .envp = list_copy(henv, nhenv)};
    nhargv = nhenv = 0;
    if (!strcmp(h.phase, "createContainer")) {
        /* runc runs them with the rootfs as the working directory, the host's / still visible */
        h.index = ncreate++;
        if (fchdir(rootfd) < 0) fail("chdir", "rootfs");
        run_hook(&h);
        return;
    }
    if (nstart >= MAX_HOOKS) fail_errno("hook", "too many startContainer hooks", E2BIG);
    h.index = nstart;
    start_hooks[nstart++] = h;
}

/* ---------- the child stage ---------- */

static char *cargv[MAX_LIST], *cenv[MAX_LIST];
static int ncargv, ncenv, npreserve, fifo_dir = -1;
static const char *fifo_name;

/* Resolve argv[0] against the container's PATH like execvp would. */
static void resolve(char *out, size_t n) {
    const char *a0 = cargv[0];
    if (strchr(a0, '/')) {
        snprintf(out, n, "%s", a0);
        if (access(out, X_OK) < 0) fail("exec", a0);
        return;
    }
    const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (int i = 0; i < ncenv; i++)
        if (strncmp(cenv[i], "PATH=", 5) == 0) path = cenv[i] + 5;
    for (const char *p = path;; p++) {
        const char *e = strchr(p, ':');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        snprintf(out, n, "%.*s/%s", (int)len, len ? p : ".", a0);
        struct stat st;
        if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0) return;
        if (!e) break;
        p = e;
    }
    fail_errno("exec: executable file not found in $PATH", a0, ENOENT);
}

static void do_exec(void) {
    char path[4096];
    if (ncargv == 0) fail_errno("exec", "process.args is empty", EINVAL);
    cargv[ncargv] = NULL;
    cenv[ncenv] = NULL;
    resolve(path, sizeof path);
    /* runtime.md "Create": the user program MUST NOT run until start; we wait on the exec fifo. */
    say("ready\n");
    close(report_fd);
    report_fd = -1;
    close(cmd_fd);
    cmd_fd = -1;
    if (fifo_dir >= 0) {
        int w = openat(fifo_dir, fifo_name, O_WRONLY | O_CLOEXEC); /* blocks until `start` reads */
        if (w < 0) fail("open-exec-fifo", fifo_name);
        if (write(w, "0", 1) != 1) fail("write-exec-fifo", fifo_name);
        close(fifo_dir);
        /* `start` reads on to the end of the fifo: it ends when execve closes it (O_CLOEXEC), after an
         * error text if a startContainer hook or the execve fails. */
        fifo_fd = w;
    }
    /* config.md "startContainer": in the container, after start, before the user process */
    for (int i = 0; i < nstart; i++) run_hook(&start_hooks[i]);
    /* runtime-linux.md "File descriptors": only stdio (and --preserve-fds) reach the process; every
     * other fd is closed here, not merely marked close-on-exec (CVE-2024-21626 class). The fifo is
     * close-on-exec and stays open until the execve succeeds. */
    unsigned int first = 3 + (unsigned int)npreserve;
    if (fifo_fd >= (int)first) {
        if ((unsigned int)fifo_fd > first && syscall(SYS_close_range, first, (unsigned int)fifo_fd - 1, 0) < 0)
            fail("close_range", "");
        if (syscall(SYS_close_range, (unsigned int)fifo_fd + 1, ~0U, 0) < 0) fail("close_range", "");
    } else {
        fifo_fd = -1;
        if (syscall(SYS_close_range, first, ~0U, 0) < 0) fail("close_range", "");
    }
    install_seccomp(); /* as late as possible: only execve (and the held cap's drop) run under it */
    execve(path, cargv, cenv);
    fail("execve", path);
}

static void child(int sync_fd, int userns) {
    /* the parent stage sends our pid as the host sees it (for the hooks' state) once the maps are written */
    if (read(sync_fd, &host_pid, sizeof host_pid) != sizeof host_pid) fail("sync", "parent");
    close(sync_fd);
    if (userns) {
        if (setresgid(0, 0, 0) < 0) fail("setgid", "0");
        if (setresuid(0, 0, 0) < 0) fail("setuid", "0");
    }
    for (int i = 0; i < ntok;) {
        char stage;
        const char *op = toks[i];
        int n = op_nargs(op, &stage);
        char **a = &toks[i + 1];
        i += 1 + n;
        if (stage != 'C') continue;
        if (!strcmp(op, "propagation")) {
            root_prop = num(a[0]);
            if (mount(NULL, "/", NULL, root_prop, NULL) < 0) fail("mount-propagation", "/");
        } else if (!strcmp(op, "rootfs") || !strcmp(op, "rootfs-host")) {
            if (!strcmp(op, "rootfs")) rootfs_parent_private(a[0]);
            if (mount(a[0], a[0], NULL, MS_BIND | MS_REC, NULL) < 0) fail("bind-rootfs", a[0]);
            rootfd = open(a[0], O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (rootfd < 0) fail("open", a[0]);
        } else if (!strcmp(op, "mount")) {
            do_mount(a);
        } else if (!strcmp(op, "mknod")) {
            do_mknod(a);
        } else if (!strcmp(op, "bindev")) {
            char *m[6] = {a[0], a[1], "", "4096", "0", ""}; /* MS_BIND */
            do_mount(m);
        } else if (!strcmp(op, "symlink")) {
            do_symlink(a);
        } else if (!strcmp(op, "oom")) {
            int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
            if (fd < 0 || write(fd, a[0], strlen(a[0])) < 0) {
                if (errno == EACCES || errno == EPERM)
                    fail("oomScoreAdj: lowering oom_score_adj needs CAP_SYS_RESOURCE, which this host's "
                         "bounding set lacks; value", a[0]);
                fail("oom_score_adj", a[0]);
            }
            close(fd);
        } else if (!strcmp(op, "sync")) {
            /* config.md "prestart"/"createRuntime": the runtime runs them now, before pivot_root */
            char go = 0;
            say("sync\n");
            if (read(cmd_fd, &go, 1) != 1 || go != '1') fail_errno("hooks", "aborted by the runtime", ECANCELED);
        } else if (!strcmp(op, "pivot")) {
            do_pivot();
        } else if (!strcmp(op, "chroot")) {
            do_chroot();
        } else if (!strcmp(op, "console")) {
            do_console(a);
        } else if (!strcmp(op, "mask")) {
            do_mask(a[0]);
        } else if (!strcmp(op, "readonly")) {
            do_readonly(a[0]);
        } else if (!strcmp(op, "rootro")) {
            if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags("/"), NULL) < 0)
                fail("remount-ro", "/");
        } else if (!strcmp(op, "hostname")) {
            if (sethostname(a[0], strlen(a[0])) < 0) fail("sethostname", a[0]);
        } else if (!strcmp(op, "domainname")) {
            if (setdomainname(a[0], strlen(a[0])) < 0) fail("setdomainname", a[0]);
        } else if (!strcmp(op, "rattr")) {
            /* config.md "Mounts": rro and the other recursive options, on the whole mount tree */
            int fd = open_in_root(a[0], O_PATH);
            if (fd < 0) fail("open", a[0]);
            struct mount_attr attr = {.attr_set = num64(a[1]), .attr_clr = num64(a[2])};
            if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
                fail("mount_setattr", a[0]);
            close(fd);
        } else if (!strcmp(op, "idmap")) {
            if (next_userns >= nuserns) fail_errno("idmap", "no user namespace prepared", EINVAL);
            idmap_ns = userns_fds[next_userns++];
            idmap_recursive = (int)num(a[0]);
        } else if (!strcmp(op, "personality")) {
            if (personality((unsigned long)num(a[0])) < 0) fail("personality", a[0]);
        } else if (!strcmp(op, "sysctl")) {
            char p[4096];
            snprintf(p, sizeof p, "/proc/sys/%s", a[0]);
            write_file(p, a[1], "sysctl");
        } else if (!strcmp(op, "rlimit")) {
            struct rlimit rl = {.rlim_cur = num64(a[1]), .rlim_max = num64(a[2])};
            if (setrlimit((int)num(a[0]), &rl) < 0) fail("setrlimit", a[0]);
        } else if (!strcmp(op, "umask")) {
            umask((mode_t)num(a[0]));
        } else if (!strcmp(op, "identity")) {
            do_identity(a);
        } else if (!strcmp(op, "nnp")) {
            if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("no_new_privs", "");
        } else if (!strcmp(op, "seccomp")) {
            do_seccomp(a);
        } else if (!strcmp(op, "cwd")) {
            if (chdir(a[0]) < 0) fail("chdir", a[0]);
        } else if (!strcmp(op, "hookarg")) {
            if (nhargv < MAX_LIST - 1) hargv[nhargv++] = a[0];
        } else if (!strcmp(op, "hookenv")) {
            if (nhenv < MAX_LIST - 1) henv[nhenv++] = a[0];
        } else if (!strcmp(op, "hook")) {
            do_hook(a);
        } else if (!strcmp(op, "preserve")) {
            npreserve = (int)num(a[0]);
        } else if (!strcmp(op, "env")) {
            if (ncenv < MAX_LIST - 1) cenv[ncenv++] = a[0];
        } else if (!strcmp(op, "arg")) {
            if (ncargv < MAX_LIST - 1) cargv[ncargv++] = a[0];
        } else if (!strcmp(op, "exec")) {
            do_exec();
        }
    }
    fail_errno("plan", "no exec step", EINVAL);
}

/* ---------- the parent stage ---------- */

static pid_t container = -1;

static void forward(int sig) {
    if (container > 0) kill(container, sig);
}

static void write_map(pid_t pid, const char *file, const char *content) {
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/%s", pid, file);
    write_file(p, content, file);
}

int main(int argc, char **argv, char **envp) {
    if (argc != 2) {
        fprintf(stderr, "usage: runtime-init FIFO-PREFIX (started by berth-runtime, not by hand)\n");
        return 2;
    }
    ensure_sealed(argv, envp);
    /* Non-dumpable: other processes cannot ptrace us or open our /proc/<pid>/exe|fd|mem. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) fail("prctl-dumpable", "");

    char out[4096], in[4096];
    if ((size_t)snprintf(out, sizeof out, "%s.out", argv[1]) >= sizeof out ||
        (size_t)snprintf(in, sizeof in, "%s.in", argv[1]) >= sizeof in) {
        fprintf(stderr, "runtime-init: path too long\n");
        return 1;
    }
    if (mkfifo(out, 0600) < 0 || mkfifo(in, 0600) < 0) {
        perror("runtime-init: mkfifo");
        return 1;
    }
    /* each open pairs with the runtime's (it opens .out to read, then .in to write); low fds stay free for
     * --preserve-fds */
    alarm(30); /* if the runtime died before opening them, do not wait forever */
    int w = open(out, O_WRONLY | O_CLOEXEC), r = open(in, O_RDONLY | O_CLOEXEC);
    alarm(0);
    if (w < 0 || r < 0) {
        perror("runtime-init: open fifo");
        return 1;
    }
    report_fd = fcntl(w, F_DUPFD_CLOEXEC, 64);
    if (report_fd < 0) fail("dup", out);
    cmd_fd = fcntl(r, F_DUPFD_CLOEXEC, 64);
    if (cmd_fd < 0) fail("dup", in);
    close(w);
    close(r);
    read_plan(cmd_fd);

    FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
    if (f) {
        if (fscanf(f, "%d", &cap_last) != 1) cap_last = 40;
        fclose(f);
    }

    unsigned long clone_flags = 0;
    const char *uidmap = NULL, *gidmap = NULL;
    int wait_mode = 0;
    for (int i = 0; i < ntok;) {
        char stage;
        const char *op = toks[i];
        int n = op_nargs(op, &stage);
        char **a = &toks[i + 1];
        i += 1 + n;
        if (stage != 'P') continue;
        if (!strcmp(op, "inherit")) {
            /* The JVM cannot pass extra fds to a child, so we reopen them through /proc: this works for
             * files, pipes and FIFOs, not for sockets (ENXIO is reported). */
            int n = (int)num(a[1]);
            for (int k = 0; k < n; k++) {
                char p[64];
                snprintf(p, sizeof p, "/proc/%s/fd/%d", a[0], 3 + k);
                int fd = open(p, O_RDWR);
                if (fd < 0 && (errno == EACCES || errno == EISDIR || errno == EROFS)) fd = open(p, O_WRONLY);
                if (fd < 0 && (errno == EACCES || errno == EISDIR || errno == EROFS)) fd = open(p, O_RDONLY);
                if (fd < 0) fail("preserve-fds", p);
                if (fd != 3 + k && (dup2(fd, 3 + k) < 0 || close(fd) < 0)) fail("dup2", p);
            }
        } else if (!strcmp(op, "cgroup")) {
            char pid[32];
            snprintf(pid, sizeof pid, "%d", getpid());
            write_file(a[0], pid, "join-cgroup");
        } else if (!strcmp(op, "setns")) {
            int fd = open(a[1], O_RDONLY | O_CLOEXEC);
            if (fd < 0) fail("open-namespace", a[1]);
            if (setns(fd, (int)num(a[0])) < 0) fail("setns", a[1]);
            close(fd);
        } else if (!strcmp(op, "unshare")) {
            if (unshare((int)num(a[0])) < 0) fail("unshare", a[0]);
        } else if (!strcmp(op, "clone")) {
            clone_flags = num(a[0]);
        } else if (!strcmp(op, "usernsfd")) {
            if (nuserns >= (int)(sizeof userns_fds / sizeof userns_fds[0])) fail_errno("idmap", "too many", E2BIG);
            userns_fds[nuserns++] = high_fd(userns_with(a[0], a[1]), "idmap user namespace");
        } else if (!strcmp(op, "timens")) {
            /* config-linux.md "timeOffsets": before any process enters the new time namespace */
            write_file("/proc/self/timens_offsets", a[0], "timens-offsets");
        } else if (!strcmp(op, "uidmap")) {
            uidmap = a[0];
        } else if (!strcmp(op, "gidmap")) {
            gidmap = a[0];
        } else if (!strcmp(op, "mkfifo")) {
            if (mkfifo(a[0], 0622) < 0) fail("mkfifo", a[0]);
            if (chown(a[0], (uid_t)num(a[1]), (gid_t)num(a[2])) < 0) fail("chown", a[0]);
            /* writable by the process's own uid too (as runc's 0622): in a user namespace a non-root
             * process user is neither the owner nor privileged over it; only its reader (start) is root */
            if (chmod(a[0], 0622) < 0) fail("chmod", a[0]);
        } else if (!strcmp(op, "wait")) {
            wait_mode = 1;
        } else if (!strcmp(op, "consock")) {
            console_sock = high_fd(connect_unix(a[0]), "console socket");
        } else if (!strcmp(op, "ttyproxy")) {
            int sp[2];
            open_host_tty();
            if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) fail("socketpair", "console");
            proxy_sock = high_fd(sp[0], "console");
            console_sock = high_fd(sp[1], "console");
        } else if (!strcmp(op, "fifo")) {
            fifo_dir = open(a[0], O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (fifo_dir < 0) fail("open", a[0]);
            fifo_name = a[1];
        }
    }

    if (proxy_sock >= 0 && !wait_mode) fail_errno("ttyproxy", "without wait", EINVAL);
    int sync[2];
    if (pipe2(sync, O_CLOEXEC) < 0) fail("pipe", "");
    /* A fork-like clone: no stack argument, the child continues here in its new namespaces. */
    pid_t pid = (pid_t)syscall(SYS_clone, clone_flags | SIGCHLD, 0, NULL, NULL, 0);
    if (pid < 0) fail("clone", "");
    if (pid == 0) {
        close(sync[1]);
        child(sync[0], (clone_flags & CLONE_NEWUSER) != 0);
    }
    container = pid;
    close(sync[0]);
    if (console_sock >= 0) close(console_sock); /* the child's now */
    if (fifo_dir >= 0) close(fifo_dir);
    /* config-linux.md "User namespace mappings": written from outside, before the child goes on. */
    if (clone_flags & CLONE_NEWUSER) {
        if (uidmap) write_map(pid, "uid_map", uidmap);
        if (gidmap) write_map(pid, "gid_map", gidmap);
    }
    char msg[64];
    snprintf(msg, sizeof msg, "pid %d\n", pid);
    say(msg);
    if (write(sync[1], &pid, sizeof pid) != sizeof pid) fail("sync", "child");
    close(sync[1]);
    if (!wait_mode) return 0;

    /* run in the foreground: forward signals, exit as the container did (128+signal if killed) */
    close(report_fd);
    report_fd = -1;
    close(cmd_fd);
    cmd_fd = -1;
    int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) signal(sigs[i], forward);
    int status;
    if (proxy_sock >= 0) {
        /* the pty's size follows the caller's terminal (the kernel signals the container on a change) */
        int sp[2];
        if (pipe2(sp, O_CLOEXEC) < 0) fail("pipe", "");
        sig_w = sp[1];
        signal(SIGWINCH, to_pipe);
        signal(SIGCHLD, to_pipe);
        to_pipe(SIGCHLD); /* the container may have exited before the handler was in place */
        status = proxy_tty(pid, sp[0]);
        if (status < 0) return 255;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return 255;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
