/* test_resolve.c -- net/resolve: names under "invalid" fail at once with no
 * query; "localhost" (from /etc/hosts, no DNS) resolves off the caller's
 * thread, is reported through the wake eventfd and resolver_drain(), and is
 * then answered from the cache; a resolver freed with a lookup in flight
 * is cleaned up by the lookup's end. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <cmocka.h>

#include "net/resolve.h"

static int drained;
static char drained_name[64];

static void on_done(void *ctx, const char *name)
{
	(void)ctx;
	drained++;
	snprintf(drained_name, sizeof drained_name, "%s", name);
}

/* Each test's resolver and its wake eventfd. */
struct fix {
	int fd;
	struct resolver *r;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);

	f->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->r = resolver_new(f->fd);
	*state = f;
	return f->fd < 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	resolver_free(f->r);
	usleep(200 * 1000); /* a lookup still in flight ends and frees what is left (ASan) */
	close(f->fd);
	free(f);
	return 0;
}

static void test_invalid_fails_at_once(void **state)
{
	struct fix *f = *state;
	struct resolver *r = f->r;
	struct sockaddr_storage ss;
	socklen_t len;
	char why[128];

	assert_int_equal(resolver_lookup(r, "nothing-here.invalid", &ss, &len, why, sizeof why),
			 RESOLVE_FAILED);
	assert_non_null(strstr(why, "RFC 6761"));
	/* cached: the same answer again */
	why[0] = '\0';
	assert_int_equal(resolver_lookup(r, "nothing-here.invalid", &ss, &len, why, sizeof why),
			 RESOLVE_FAILED);
	assert_non_null(strstr(why, "no such name"));
}

static void test_localhost_resolves_off_thread(void **state)
{
	struct fix *f = *state;
	struct resolver *r = f->r;
	int fd = f->fd;
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char why[128];
	enum resolve_state st;

	drained = 0;
	st = resolver_lookup(r, "localhost", &ss, &len, why, sizeof why);
	if (st == RESOLVE_PENDING) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		assert_int_equal(poll(&p, 1, 10000), 1); /* bounded: the hosts file answers */
		uint64_t v;
		assert_int_equal(read(fd, &v, sizeof v), (ssize_t)sizeof v);
		resolver_drain(r, on_done, NULL);
		assert_int_equal(drained, 1);
		assert_string_equal(drained_name, "localhost");
		st = resolver_lookup(r, "localhost", &ss, &len, why, sizeof why);
	}
	assert_int_equal(st, RESOLVE_OK);
	assert_int_equal(ss.ss_family, AF_INET); /* IPv4 first, as sock_addr_parse */
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr), INADDR_LOOPBACK);
}

/* Freed with the lookup in flight: teardown() frees the resolver at once. */
static void test_free_with_lookup_in_flight(void **state)
{
	struct fix *f = *state;
	struct sockaddr_storage ss;
	socklen_t len;
	char why[128];

	(void)resolver_lookup(f->r, "localhost", &ss, &len, why, sizeof why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_invalid_fails_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_localhost_resolves_off_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_with_lookup_in_flight, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
