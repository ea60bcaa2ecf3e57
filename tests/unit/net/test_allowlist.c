/* test_allowlist.c -- forward allow-lists (src/net/allowlist.c): the default
 * (loopback only), the words, explicit rules with prefixes and ports,
 * IPv4-mapped IPv6, and special addresses allowed only when named exactly. */
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
	for (const char *const *a = (const char *const[]){ "127.0.0.1", "127.255.0.9", "127.77.3.4",
							   "::1", "::ffff:127.0.0.1", NULL };
	     *a; a++)
		assert_true(allows(&l, *a, 7891));
	/* Private ranges are an explicit choice now; link-local never by default. */
	for (const char *const *a = (const char *const[]){ "10.1.2.3", "172.16.0.1", "172.31.255.255",
							   "192.168.1.1", "fd12::1", "fe80::1",
							   "::ffff:10.0.0.1", "8.8.8.8", "172.32.0.1",
							   "192.169.0.1", "169.254.169.254", "2001:db8::1",
							   "fd00:ec2::254", "::ffff:8.8.8.8", "::", "0.0.0.0",
							   "128.0.0.1", "::2", NULL };
	     *a; a++)
		assert_false(allows(&l, *a, 7891));
	allowlist_free(&l);
}

static void test_words(void **state)
{
	struct allowlist l;
	struct err e;

	allowlist_init(&l);
	assert_int_equal(allowlist_add(&l, "private", &e), 0);
	for (const char *const *a = (const char *const[]){ "10.1.2.3", "172.16.0.1", "172.31.255.255",
							   "192.168.1.1", "fd12::1", "fc00::1",
							   "::ffff:10.0.0.1", NULL };
	     *a; a++)
		assert_true(allows(&l, *a, 7891));
	for (const char *const *a = (const char *const[]){ "127.0.0.1", "::1", "8.8.8.8", "172.32.0.1",
							   "fe80::1", "169.254.1.1", "100.64.0.1", NULL };
	     *a; a++)
		assert_false(allows(&l, *a, 7891));
	allowlist_free(&l);

	allowlist_init(&l);
	assert_int_equal(allowlist_add(&l, "loopback,10.200.1.0/24", &e), 0);
	assert_true(allows(&l, "127.0.0.1", 1));
	assert_true(allows(&l, "10.200.1.9", 1));
	assert_false(allows(&l, "10.200.0.1", 1)); /* the bridge: not the scenario's nodes */
	allowlist_free(&l);

	allowlist_init(&l);
	assert_int_equal(allowlist_add(&l, "privat", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unknown word 'privat'"));
	allowlist_free(&l);
}

/* Link-local and cloud metadata addresses: only a rule naming the very
 * address allows them -- never a prefix, `private` or `any`. */
static void test_special(void **state)
{
	static const char *const special[] = {
		"169.254.169.254", "169.254.0.1", "169.254.170.2", "100.100.100.200", "192.0.0.192",
		"fe80::1", "fe80::a9fe:a9fe", "febf::1", "fd00:ec2::254", "fd00:ec2::23",
		"fd20:ce::254", "fd00:42::42", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe",
		"64:ff9b::100.100.100.200", NULL
	};
	static const char *const wide[] = { "any", "private", "0.0.0.0/0,::/0", "169.254.0.0/16",
					    "fe80::/10", "fd00::/8", "100.64.0.0/10", "64:ff9b::/96",
					    "::ffff:0:0/96", NULL };
	struct allowlist l;
	struct err e;

	for (const char *const *w = wide; *w; w++) {
		allowlist_init(&l);
		assert_int_equal(allowlist_add(&l, *w, &e), 0);
		for (const char *const *a = special; *a; a++)
			assert_false(allows(&l, *a, 80));
		allowlist_free(&l);
	}
	/* Neighbours of the special addresses are ordinary. */
	allowlist_init(&l);
	assert_int_equal(allowlist_add(&l, "any", &e), 0);
	for (const char *const *a = (const char *const[]){ "169.253.255.255", "169.255.0.0",
							   "100.100.100.201", "192.0.0.193", "fec0::1",
							   "fd00:ec2::255", "fd20:ce::253", "8.8.8.8",
							   "64:ff9b::808:808", NULL };
	     *a; a++)
		assert_true(allows(&l, *a, 80));
	allowlist_free(&l);

	/* Named exactly: allowed, with or without a port; the port still counts. */
	allowlist_init(&l);
	assert_int_equal(allowlist_add(&l, "169.254.169.254,[fd00:ec2::254]:80,fe80::1", &e), 0);
	assert_true(allows(&l, "169.254.169.254", 80));
	assert_true(allows(&l, "::ffff:169.254.169.254", 80)); /* the same address, mapped */
	assert_true(allows(&l, "fd00:ec2::254", 80));
	assert_false(allows(&l, "fd00:ec2::254", 81));
	assert_true(allows(&l, "fe80::1", 7));
	assert_false(allows(&l, "169.254.169.253", 80));
	assert_false(allows(&l, "fe80::2", 7));
	allowlist_free(&l);

	/* A list that matches peers (--net-delay) is not guarded. */
	allowlist_init(&l);
	l.guarded = false;
	assert_int_equal(allowlist_add(&l, "169.254.0.0/16,fe80::/10", &e), 0);
	assert_true(allows(&l, "169.254.169.254", 80));
	assert_true(allows(&l, "fe80::9", 80));
	allowlist_free(&l);
}

static void test_is_special(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct sockaddr_in6 b = { .sin6_family = AF_INET6 };

	assert_int_equal(inet_pton(AF_INET, "169.254.169.254", &a.sin_addr), 1);
	assert_true(allowlist_is_special((struct sockaddr *)&a));
	assert_int_equal(inet_pton(AF_INET, "10.0.0.1", &a.sin_addr), 1);
	assert_false(allowlist_is_special((struct sockaddr *)&a));
	assert_int_equal(inet_pton(AF_INET6, "fd20:ce::254", &b.sin6_addr), 1);
	assert_true(allowlist_is_special((struct sockaddr *)&b));
	assert_int_equal(inet_pton(AF_INET6, "::1", &b.sin6_addr), 1);
	assert_false(allowlist_is_special((struct sockaddr *)&b));
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
	assert_false(allows(&l, "127.0.0.2", 1));          /* explicit rules replace the default */
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
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_special),
		cmocka_unit_test(test_is_special),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
