/*
 * console-receiver SOCKET [INPUT]: the test side of the --console-socket protocol. Listens on SOCKET,
 * accepts one connection, receives one fd with SCM_RIGHTS, checks that it is a pty master (TIOCGPTN),
 * reports "master <payload> pts <n>" on stderr, writes INPUT (if any) to it, then copies everything the
 * container writes to stdout until the last slave is closed (EIO). Exit status 2 on any failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what) {
    fprintf(stderr, "console-receiver: %s: %s\n", what, strerror(errno));
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: console-receiver SOCKET [INPUT]\n");
        return 2;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    const char *path = argv[1];
    char *slash = strrchr(argv[1], '/');
    if (strlen(path) >= sizeof sa.sun_path && slash) {
        /* longer than sun_path: bind the name relative to its directory */
        *slash = 0;
        if (chdir(argv[1]) < 0) return die("chdir");
        path = slash + 1;
    }
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, 1) < 0) return die("listen");
    int c = accept(l, NULL, NULL);
    if (c < 0) return die("accept");
    char name[256] = {0};
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } ctl;
    struct iovec iov = {.iov_base = name, .iov_len = sizeof name - 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
    if (recvmsg(c, &msg, 0) < 0) return die("recvmsg");
    struct cmsghdr *h = CMSG_FIRSTHDR(&msg);
    if (!h || h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS) {
        fprintf(stderr, "console-receiver: no SCM_RIGHTS message\n");
        return 2;
    }
    int m;
    memcpy(&m, CMSG_DATA(h), sizeof m);
    int n;
    if (ioctl(m, TIOCGPTN, &n) < 0) return die("the fd is not a pty master (TIOCGPTN)");
    fprintf(stderr, "master %s pts %d\n", name, n);
    if (argc > 2 && write(m, argv[2], strlen(argv[2])) < 0) return die("write to master");
    char buf[4096];
    for (;;) {
        ssize_t r = read(m, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break; /* EIO once the container closed its last slave fd */
        if (write(1, buf, (size_t)r) != r) return die("write to stdout");
    }
    return 0;
}
