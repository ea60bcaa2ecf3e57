/* conns.c -- opens N idle TCP connections to HOST:PORT and holds them.
 *
 * For the memory figure of bench/run.sh: a node's RSS with many idle
 * connections. Prints "connected N" once all are open, then waits until
 * stdin closes (or SIGTERM). Raises RLIMIT_NOFILE as far as allowed.
 * Usage: conns HOST PORT N */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct rlimit rl;
	int n, opened = 0;
	char c;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) {
		fprintf(stderr, "usage: conns HOST PORT N\n");
		return 2;
	}
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	n = atoi(argv[3]);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (; opened < n; opened++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
			perror("conns");
			break;
		}
	}
	printf("connected %d\n", opened);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return opened == n ? 0 : 1;
}
