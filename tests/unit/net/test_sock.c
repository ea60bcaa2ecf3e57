/* test_sock.c -- claiming a listening address (src/net/sock.c): the probe
 * without SO_REUSEPORT sees any listener, and the check after binding sees a
 * listener that joined the port through SO_REUSEPORT, on the same address or
 * a wildcard, but not one on another address. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>
#include <unistd.h>

#include "net/sock.h"

static struct sock_addr addr(const char *text)
{
	struct sock_addr a;
	struct err e;

	assert_int_equal(sock_addr_parse(text, "127.0.0.1", 0, true, &a, &e), 0);
	return a;
}

static struct sock_addr on_port(const char *host, int port)
{
	char text[64];

	snprintf(text, sizeof text, "%s:%d", host, port);
	return addr(text);
}

static void test_probe(void **state)
{
	struct sock_addr a = addr("127.0.0.1:0");
	int port = 0, fd;

	assert_int_equal(sock_probe_free(&a, false, &port), 0);
	assert_true(port > 0); /* the kernel's pick */
	a = on_port("127.0.0.1", port);
	fd = sock_listen(&a, 16, true, true);
	assert_true(fd >= 0);
	/* A SO_REUSEPORT listener holds the port against a probe without it. */
	assert_int_equal(sock_probe_free(&a, false, NULL), -EADDRINUSE);
	close(fd);
	assert_int_equal(sock_probe_free(&a, false, NULL), 0);
}

static void test_alone(void **state)
{
	struct sock_addr a = addr("127.0.0.1:0");
	int port = 0, ours[2], other;

	assert_int_equal(sock_probe_free(&a, false, &port), 0);
	a = on_port("127.0.0.1", port);
	ours[0] = sock_listen(&a, 16, true, true);
	ours[1] = sock_listen(&a, 16, true, true);
	assert_true(ours[0] >= 0 && ours[1] >= 0);
	assert_int_equal(sock_listen_check_alone(&a, ours, 2), 0);
	/* A listener that is not in the list: ours[1] seen from ours[0]'s side. */
	assert_int_equal(sock_listen_check_alone(&a, ours, 1), -EADDRINUSE);

	/* Another address with the same port does not overlap... */
	struct sock_addr b = on_port("127.0.0.2", port);
	other = sock_listen(&b, 16, true, true);
	assert_true(other >= 0);
	assert_int_equal(sock_listen_check_alone(&a, ours, 2), 0);
	close(other);
	/* ...a wildcard one does. */
	b = on_port("0.0.0.0", port);
	other = sock_listen(&b, 16, true, true);
	assert_true(other >= 0);
	assert_int_equal(sock_listen_check_alone(&a, ours, 2), -EADDRINUSE);
	close(other);
	close(ours[0]);
	close(ours[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
