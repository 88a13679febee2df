/*
 * echo_load.c -- swift-trio's own TCP echo load generator.
 *
 * One thread, one epoll instance, level-triggered. Every connection runs a ping-pong: write a
 * message, wait until the whole message has come back, record the round trip's latency, repeat.
 * All connections are open before timing starts. The first `warmup` round trips of each
 * connection are not measured.
 *
 * Usage: echo_load HOST PORT CONNECTIONS ROUNDTRIPS SIZE [WARMUP]
 * Output (stdout, one "key value" per line): roundtrips, seconds, roundtrips_per_second,
 * p50_us, p99_us. Exit status 1 on any error or if nothing moves for 30 seconds.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
    int fd;
    int done;         /* round trips completed, warm-up included */
    size_t got;       /* bytes of the current echo received so far */
    double started;   /* when the current message was written */
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void fail(const char *what) {
    perror(what);
    exit(1);
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void send_message(struct conn *c, const char *message, size_t size) {
    size_t off = 0;
    while (off < size) {
        ssize_t n = send(c->fd, message + off, size - off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("send"); /* 64-byte messages always fit an empty socket buffer */
        }
        off += (size_t)n;
    }
    c->got = 0;
    c->started = now();
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: %s HOST PORT CONNECTIONS ROUNDTRIPS SIZE [WARMUP]\n", argv[0]);
        return 2;
    }
    const char *host = argv[1];
    int port = atoi(argv[2]), nconn = atoi(argv[3]), rounds = atoi(argv[4]);
    size_t size = (size_t)atol(argv[5]);
    int warmup = argc > 6 ? atoi(argv[6]) : rounds / 10;
    if (nconn < 1 || rounds <= warmup || size < 1) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }

    char *message = malloc(size), *buffer = malloc(size);
    memset(message, 'x', size);
    struct conn *conns = calloc((size_t)nconn, sizeof *conns);
    size_t measured_per_conn = (size_t)(rounds - warmup);
    double *latencies = malloc(sizeof(double) * measured_per_conn * (size_t)nconn);
    size_t nlat = 0;

    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) fail("inet_pton");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) fail("epoll_create1");
    for (int i = 0; i < nconn; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) fail("socket");
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) fail("connect");
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conns[i].fd = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) fail("epoll_ctl");
    }

    int active = nconn;
    double measure_start = 0;
    int measuring = 0, warm_conns = 0;
    for (int i = 0; i < nconn; i++) send_message(&conns[i], message, size);
    if (warmup == 0) { measuring = 1; measure_start = now(); }

    struct epoll_event events[256];
    while (active > 0) {
        int n = epoll_wait(ep, events, 256, 30000);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("epoll_wait");
        }
        if (n == 0) {
            fprintf(stderr, "no progress for 30 s\n");
            return 1;
        }
        for (int e = 0; e < n; e++) {
            struct conn *c = &conns[events[e].data.u32];
            ssize_t r = recv(c->fd, buffer, size - c->got, 0);
            if (r < 0) {
                if (errno == EINTR || errno == EAGAIN) continue;
                fail("recv");
            }
            if (r == 0) {
                fprintf(stderr, "server closed a connection\n");
                return 1;
            }
            c->got += (size_t)r;
            if (c->got < size) continue;
            double t = now();
            if (c->done >= warmup && measuring) latencies[nlat++] = t - c->started;
            c->done++;
            if (c->done == warmup && ++warm_conns == nconn && !measuring) {
                /* Every connection is warm: from here on, everything counts. */
                measuring = 1;
                measure_start = t;
            }
            if (c->done < rounds) {
                send_message(c, message, size);
            } else {
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
                active--;
            }
        }
    }
    double seconds = now() - measure_start;
    qsort(latencies, nlat, sizeof(double), by_value);
    printf("roundtrips %zu\n", nlat);
    printf("seconds %.6f\n", seconds);
    printf("roundtrips_per_second %.1f\n", nlat / seconds);
    printf("p50_us %.2f\n", nlat ? latencies[nlat / 2] * 1e6 : 0.0);
    printf("p99_us %.2f\n", nlat ? latencies[(size_t)(0.99 * (double)(nlat - 1))] * 1e6 : 0.0);
    return 0;
}
