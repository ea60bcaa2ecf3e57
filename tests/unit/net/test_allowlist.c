/* test_allowlist.c -- forward allow-lists (src/net/allowlist.c): the default
 * lab ranges, explicit rules with prefixes and ports, IPv4-mapped IPv6. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "net/allowlist.h"

static bool allows(const struct allowlist *l, const char *addr, int port)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof ss);
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET6, addr, &s->sin6_addr), 1);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET, addr, &s->sin_addr), 1);
	}
	return allowlist_allows(l, (struct sockaddr *)&ss);
}

static void test_default(void **state)
{
	struct allowlist l;

	allowlist_init(&l);
	allowlist_default(&l);
	for (const char *const *a = (const char *const[]){ "127.0.0.1", "127.255.0.9", "10.1.2.3",
							   "172.16.0.1", "172.31.255.255",
							   "192.168.1.1", "::1", "fd12::1", "fe80::1",
							   "::ffff:10.0.0.1", NULL };
	     *a; a++)
		assert_true(allows(&l, *a, 7891));
	for (const char *const *a = (const char *const[]){ "8.8.8.8", "172.32.0.1", "172.15.255.255",
							   "192.169.0.1", "169.254.169.254", "2001:db8::1",
							   "::ffff:8.8.8.8", "::", "0.0.0.0", NULL };
	     *a; a++)
		assert_false(allows(&l, *a, 7891));
	allowlist_free(&l);
}

static void test_rules(void **state)
{
	struct allowlist l;
	struct err e;

	allowlist_init(&l);
	assert_int_equal(allowlist_add(&l, "198.51.100.0/24,127.0.0.1:7892,[::1]:9000,2001:db8::/32", &e), 0);
	assert_true(allows(&l, "198.51.100.77", 1));
	assert_false(allows(&l, "198.51.101.1", 1));
	assert_true(allows(&l, "127.0.0.1", 7892));
	assert_false(allows(&l, "127.0.0.1", 7893)); /* the port is part of the rule */
	assert_true(allows(&l, "::1", 9000));
	assert_false(allows(&l, "::1", 9001));
	assert_true(allows(&l, "2001:db8:ffff::1", 5));
	assert_false(allows(&l, "2001:db9::1", 5));
	assert_true(allows(&l, "::ffff:198.51.100.1", 1)); /* mapped: matched as IPv4 */
	assert_false(allows(&l, "10.0.0.1", 1));           /* explicit rules replace the default */
	allowlist_free(&l);

	allowlist_init(&l);
	assert_int_equal(allowlist_add(&l, "any", &e), 0);
	assert_true(allows(&l, "8.8.8.8", 53));
	allowlist_free(&l);

	/* a /0 prefix of one family does not admit the other */
	allowlist_init(&l);
	assert_int_equal(allowlist_add(&l, "0.0.0.0/0", &e), 0);
	assert_true(allows(&l, "8.8.8.8", 53));
	assert_false(allows(&l, "2001:db8::1", 53));
	allowlist_free(&l);
}

static void test_rejects(void **state)
{
	static const char *const bad[] = { "10.0.0.0/33", "::1/129", "example.com", "10.0.0.1:0",
					   "10.0.0.1:70000", "[::1", "[::1]x", "10.0.0.0/", "1.2.3",
					   "10.0.0.1:", NULL };
	struct allowlist l;
	struct err e;

	for (const char *const *b = bad; *b; b++) {
		allowlist_init(&l);
		assert_int_equal(allowlist_add(&l, *b, &e), -EINVAL);
		assert_true(e.msg[0] != '\0');
		allowlist_free(&l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
