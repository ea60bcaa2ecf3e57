/* test_file.c -- util/file: a whole file into memory, the port file node and
 * proxy write (atomically, one port a line) and mkdir -p, with the messages
 * their failures give. Everything happens in a fresh directory under
 * $TMPDIR (or /tmp). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file.h"

static char dir[512];

static int make_dir(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof dir, "%s/test_file.XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int remove_dir(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_ports_written_whole_one_a_line(void **state)
{
	char path[600], tmp[610];
	int ports[] = { 40001, 0, 65535 };
	struct err e = { 0 };
	size_t len;
	char *text;

	(void)state;
	snprintf(path, sizeof path, "%s/port", dir);
	assert_int_equal(file_write_ports(path, ports, 3, &e), 0);
	text = file_read_all(path, &len);
	assert_non_null(text);
	assert_string_equal(text, "40001\n0\n65535\n");
	assert_int_equal(len, strlen("40001\n0\n65535\n"));
	free(text);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	assert_int_equal(access(tmp, F_OK), -1); /* renamed, not left behind */
	/* a second write replaces the first */
	assert_int_equal(file_write_ports(path, ports, 1, &e), 0);
	text = file_read_all(path, NULL);
	assert_string_equal(text, "40001\n");
	free(text);
}

static void test_port_file_errors_name_the_path(void **state)
{
	char path[600], want[700], big[5000];
	int port = 1;
	struct err e = { 0 };

	(void)state;
	snprintf(path, sizeof path, "%s/no/such/dir/port", dir);
	assert_true(file_write_ports(path, &port, 1, &e) < 0);
	snprintf(want, sizeof want, "cannot write %s.tmp: No such file or directory", path);
	assert_string_equal(e.msg, want);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_true(file_write_ports(big, &port, 1, &e) < 0);
	assert_string_equal(e.msg, "--port-file path too long");
}

static void test_mkdirs_makes_parents_and_accepts_existing(void **state)
{
	char path[600];
	struct stat st;
	struct err e = { 0 };

	(void)state;
	snprintf(path, sizeof path, "%s/a/b/c", dir);
	assert_int_equal(file_mkdirs(path, &e), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(file_mkdirs(path, &e), 0); /* existing: fine */
	snprintf(path, sizeof path, "%s/a/b/c/", dir); /* a trailing '/' too */
	assert_int_equal(file_mkdirs(path, &e), 0);
	snprintf(path, sizeof path, "%s/a/d", dir);
	assert_int_equal(file_mkdirs(path, NULL), 0); /* e may be NULL */
	assert_int_equal(stat(path, &st), 0);
}

static void test_mkdirs_refuses_a_file_in_the_way(void **state)
{
	char file[600], path[700], want[800];
	struct err e = { 0 };
	FILE *f;

	(void)state;
	snprintf(file, sizeof file, "%s/plain", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(file_mkdirs(file, &e), -ENOTDIR);
	snprintf(want, sizeof want, "%s: cannot create the directory: a file is in the way", file);
	assert_string_equal(e.msg, want);
	snprintf(path, sizeof path, "%s/below", file);
	assert_true(file_mkdirs(path, &e) < 0); /* the file is a parent */
	assert_string_equal(e.msg, want);
}

static void test_read_all_missing_file(void **state)
{
	char path[600];

	(void)state;
	snprintf(path, sizeof path, "%s/missing", dir);
	errno = 0;
	assert_null(file_read_all(path, NULL));
	assert_int_equal(errno, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ports_written_whole_one_a_line, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_port_file_errors_name_the_path, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_mkdirs_makes_parents_and_accepts_existing, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_mkdirs_refuses_a_file_in_the_way, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_read_all_missing_file, make_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
