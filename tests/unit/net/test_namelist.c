/* test_namelist.c -- the host names a node may look up (src/net/namelist.c):
 * the default (localhost only), exact names and *.SUFFIX patterns matched
 * case-insensitively with a final dot ignored, `any`, and lists refused with
 * a message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "net/namelist.h"

static bool allows(const struct namelist *l, const char *name)
{
	return namelist_allows(l, name, strlen(name));
}

static void test_default(void **state)
{
	struct namelist l;

	(void)state;
	namelist_init(&l);
	namelist_default(&l);
	assert_true(allows(&l, "localhost"));
	assert_true(allows(&l, "LocalHost."));
	assert_true(allows(&l, "db.localhost"));
	assert_false(allows(&l, "localhost.example.com"));
	assert_false(allows(&l, "xlocalhost"));
	assert_false(allows(&l, "exfil-4142.attacker.example"));
	namelist_free(&l);
}

static void test_rules(void **state)
{
	struct namelist l;
	struct err e;

	(void)state;
	namelist_init(&l);
	assert_int_equal(namelist_add(&l, "catalog,*.svc.cluster.local", &e), 0);
	assert_int_equal(namelist_add(&l, "DB.Example.net.", &e), 0);
	assert_true(allows(&l, "catalog"));
	assert_true(allows(&l, "CATALOG"));
	assert_false(allows(&l, "catalog2"));
	assert_false(allows(&l, "catalog.other"));
	assert_true(allows(&l, "pay.shop.svc.cluster.local"));
	assert_true(allows(&l, "a.b.svc.cluster.local."));
	/* the suffix needs a label before it, and whole labels */
	assert_false(allows(&l, "svc.cluster.local"));
	assert_false(allows(&l, "xsvc.cluster.local"));
	assert_true(allows(&l, "db.example.net"));
	assert_false(allows(&l, "www.db.example.net"));
	assert_false(allows(&l, "localhost")); /* the default is replaced, not kept */
	namelist_free(&l);

	namelist_init(&l);
	assert_int_equal(namelist_add(&l, "any", &e), 0);
	assert_true(allows(&l, "anything.example"));
	namelist_free(&l);
}

static void test_refused(void **state)
{
	static const char *const bad[] = { "", ",", "a,,b", "bad_name", "-lead", "trail-",
					   "a..b", "*.", "*", "*foo.com", "x.*.com", "a b",
					   "loop,back!" };
	struct namelist l;
	struct err e;
	char big[300];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		namelist_init(&l);
		if (namelist_add(&l, bad[i], &e) == 0)
			fail_msg("'%s' accepted", bad[i]);
		namelist_free(&l);
	}
	namelist_init(&l);
	assert_true(namelist_add(&l, "bad_name", &e) < 0);
	assert_non_null(strstr(e.msg, "'bad_name' is not a host name"));
	/* a label over 63 characters, a name over 253 */
	memset(big, 'a', 64);
	big[64] = '\0';
	assert_true(namelist_add(&l, big, &e) < 0);
	for (int i = 0; i < 5; i++)
		memcpy(big + i * 60, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.", 60);
	big[299] = 'a';
	big[254] = '\0';
	assert_true(namelist_add(&l, big, &e) < 0);
	namelist_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
