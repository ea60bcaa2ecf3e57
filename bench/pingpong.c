/* pingpong.c -- the floor of bench/run.sh: the least a request/response round
 * trip over loopback TCP can cost on this machine.
 *
 * One connection, blocking read() and write() of fixed-size messages,
 * TCP_NODELAY, no framing, no event loop: whatever meshwalk measures above
 * this (the "x floor" columns) is its own cost. It uses nothing of meshwalk.
 *
 *   pingpong server PORT [SIZE]                  echo SIZE-byte messages (default 64)
 *   pingpong client HOST PORT COUNT RATE [SIZE]  COUNT round trips; prints
 *       "rtt_us p50 X p99 Y p99.9 Z max W"
 *
 * RATE is round trips per second on an absolute schedule (clock_nanosleep to
 * each send time; 0 = back to back); each round trip is timed from its actual
 * send, like meshwalk's sent->reply. The server serves one connection at a
 * time and listens on 127.0.0.1 only. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Reads (or writes) exactly n bytes: 0, or -1 on error or end of stream. */
static int xfer(int fd, char *buf, size_t n, int reading)
{
	for (size_t done = 0; done < n;) {
		ssize_t r = reading ? read(fd, buf + done, n - done) : write(fd, buf + done, n - done);

		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

static int by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static size_t msg_size(int argc, char **argv, int i)
{
	long v = argc > i ? atol(argv[i]) : 64;

	return v > 0 ? (size_t)v : 64;
}

static int serve(int port, size_t size)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0);
	char *buf = malloc(size);

	if (ls < 0 || buf == NULL)
		return 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 16) < 0) {
		perror("pingpong server");
		return 1;
	}
	for (;;) {
		int fd = accept(ls, NULL, NULL);

		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		while (xfer(fd, buf, size, 1) == 0 && xfer(fd, buf, size, 0) == 0)
			;
		close(fd);
	}
}

static int ping(const char *host, int port, long count, double rate, size_t size)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
	char *buf = calloc(1, size);
	int64_t *rtt = malloc(sizeof *rtt * (size_t)count), start;

	if (fd < 0 || buf == NULL || rtt == NULL || inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		fprintf(stderr, "pingpong client: bad address or out of memory\n");
		return 1;
	}
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("pingpong client: connect");
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	start = now_ns();
	for (long i = 0; i < count; i++) {
		if (rate > 0) {
			int64_t due = start + (int64_t)((double)i * 1e9 / rate);
			struct timespec ts = { .tv_sec = due / 1000000000, .tv_nsec = due % 1000000000 };

			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
				; /* EINTR: sleep on to the same deadline */
		}
		int64_t t0 = now_ns();

		if (xfer(fd, buf, size, 0) < 0 || xfer(fd, buf, size, 1) < 0) {
			fprintf(stderr, "pingpong client: connection lost after %ld round trips\n", i);
			return 1;
		}
		rtt[i] = now_ns() - t0;
	}
	qsort(rtt, (size_t)count, sizeof *rtt, by_value);
	printf("rtt_us p50 %.1f p99 %.1f p99.9 %.1f max %.1f\n", (double)rtt[count / 2] / 1e3,
	       (double)rtt[count * 99 / 100] / 1e3, (double)rtt[count * 999 / 1000] / 1e3,
	       (double)rtt[count - 1] / 1e3);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "server") == 0)
		return serve(atoi(argv[2]), msg_size(argc, argv, 3));
	if (argc >= 6 && argc <= 7 && strcmp(argv[1], "client") == 0 && atol(argv[4]) > 0)
		return ping(argv[2], atoi(argv[3]), atol(argv[4]), atof(argv[5]), msg_size(argc, argv, 6));
	fprintf(stderr, "usage: pingpong server PORT [SIZE] | pingpong client HOST PORT COUNT RATE [SIZE]\n");
	return 2;
}
