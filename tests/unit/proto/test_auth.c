/* test_auth.c -- frame authentication (src/proto/auth.c): the tag is
 * HMAC-SHA256 over header and body (checked against RFC 4231's test case 2),
 * any changed bit fails verification, and key files are checked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "proto/auth.h"

static void test_rfc4231_case2(void **state)
{
	static const uint8_t want[32] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
		0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
	};
	const char *data = "what do ya want for nothing?"; /* 28 bytes: "header" 24 + body 4 */
	struct auth_key k = { .len = 4 };
	uint8_t tag[32];

	memcpy(k.bytes, "Jefe", 4);
	auth_tag(&k, (const uint8_t *)data, data + 24, 4, tag);
	assert_memory_equal(tag, want, 32);
	assert_true(auth_verify(&k, (const uint8_t *)data, data + 24, 4, want));
}

static void test_any_change_fails(void **state)
{
	struct auth_key k = { .len = 32 };
	uint8_t hdr[WIRE_HDR_LEN], body[100], tag[32];

	for (int i = 0; i < 32; i++)
		k.bytes[i] = (uint8_t)(i * 7 + 1);
	for (int i = 0; i < WIRE_HDR_LEN; i++)
		hdr[i] = (uint8_t)i;
	for (int i = 0; i < 100; i++)
		body[i] = (uint8_t)(255 - i);
	auth_tag(&k, hdr, body, sizeof body, tag);
	assert_true(auth_verify(&k, hdr, body, sizeof body, tag));
	for (int bit = 0; bit < 8 * WIRE_HDR_LEN; bit++) {
		hdr[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		assert_false(auth_verify(&k, hdr, body, sizeof body, tag));
		hdr[bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
	body[50] ^= 1;
	assert_false(auth_verify(&k, hdr, body, sizeof body, tag));
	body[50] ^= 1;
	assert_false(auth_verify(&k, hdr, body, sizeof body - 1, tag)); /* shorter body */
	tag[31] ^= 0x80;
	assert_false(auth_verify(&k, hdr, body, sizeof body, tag));
	tag[31] ^= 0x80;
	k.bytes[0] ^= 1; /* another key */
	assert_false(auth_verify(&k, hdr, body, sizeof body, tag));
}

static void write_key(const char *path, size_t n, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		fputc((int)(i & 0xff), f);
	fclose(f);
	chmod(path, mode);
}

static void test_key_files(void **state)
{
	char dir[] = "/tmp/mw-auth-XXXXXX", path[64];
	struct auth_key k;
	struct err e;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/key", dir);
	write_key(path, 32, 0600);
	assert_int_equal(auth_key_load(path, &k, &e), 0);
	assert_int_equal(k.len, 32);
	assert_int_equal(k.bytes[31], 31);
	write_key(path, 32, 0644);
	assert_true(auth_key_load(path, &k, &e) < 0);
	assert_non_null(strstr(e.msg, "readable by others"));
	write_key(path, 15, 0600);
	assert_true(auth_key_load(path, &k, &e) < 0);
	assert_non_null(strstr(e.msg, "16 to 1024 bytes"));
	write_key(path, 1025, 0600);
	assert_true(auth_key_load(path, &k, &e) < 0);
	write_key(path, 1024, 0600);
	assert_int_equal(auth_key_load(path, &k, &e), 0);
	unlink(path);
	assert_true(auth_key_load(path, &k, &e) < 0);
	assert_non_null(strstr(e.msg, "cannot open key file"));
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4231_case2),
		cmocka_unit_test(test_any_change_fails),
		cmocka_unit_test(test_key_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
