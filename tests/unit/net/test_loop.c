/* test_loop.c -- every event loop back end keeps the same contract:
 * level-triggered readiness, mod/del, timeouts, fairness past `max`, fd
 * reuse, and select's refusal of fds it cannot hold; epoll keeps it where
 * epoll_pwait2 does not exist (a seccomp filter makes it ENOSYS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/loop.h"
#include "util/clock.h"

static const enum loop_backend backends[] = { LOOP_EPOLL, LOOP_POLL, LOOP_SELECT, LOOP_URING,
						 LOOP_URING_POLL };
#define NB (sizeof backends / sizeof backends[0])

/* Creates a loop of back end b; skips the test when io_uring is refused. */
static struct loop *make(enum loop_backend b)
{
	struct loop *l = NULL;
	struct err e;

	err_clear(&e);
	if (loop_create(&l, b, &e) < 0) {
		assert_true(b == LOOP_URING || b == LOOP_URING_POLL); /* the others cannot be refused */
		assert_non_null(strstr(e.msg, "io_uring is unavailable"));
		return NULL;
	}
	return l;
}

static void test_names(void **state)
{
	enum loop_backend b;

	(void)state;
	for (size_t i = 0; i < NB; i++) {
		assert_int_equal(loop_backend_parse(loop_backend_name(backends[i]), &b), 0);
		assert_int_equal(b, backends[i]);
	}
	assert_int_equal(loop_backend_parse("kqueue", &b), -EINVAL);
	assert_int_equal(loop_backend_parse("uring", &b), -EINVAL);
}

static void test_level_triggered(void **state)
{
	(void)state;
	for (size_t i = 0; i < NB; i++) {
		struct loop *l = make(backends[i]);
		struct loop_event ev[4];
		int p[2], tag;
		char c;

		if (l == NULL)
			continue;
		assert_int_equal(pipe(p), 0);
		assert_int_equal(loop_add(l, p[0], LOOP_READ, &tag), 0);
		assert_int_equal(loop_add(l, p[0], LOOP_READ, &tag), -EEXIST);
		assert_int_equal(loop_wait(l, ev, 4, 0), 0);
		assert_int_equal(write(p[1], "ab", 2), 2);
		for (int round = 0; round < 3; round++) {
			/* Not drained: reported again, every time. */
			assert_int_equal(loop_wait(l, ev, 4, 1000000000), 1);
			assert_ptr_equal(ev[0].ptr, &tag);
			assert_true(ev[0].events & LOOP_READ);
		}
		assert_int_equal(read(p[0], &c, 1), 1);
		assert_int_equal(loop_wait(l, ev, 4, 1000000000), 1);
		assert_int_equal(read(p[0], &c, 1), 1);
		assert_int_equal(loop_wait(l, ev, 4, 0), 0);
		/* A hang-up is reported (as readable or as an error). */
		close(p[1]);
		assert_int_equal(loop_wait(l, ev, 4, 1000000000), 1);
		assert_true(ev[0].events & (LOOP_READ | LOOP_ERROR));
		assert_int_equal(loop_del(l, p[0]), 0);
		close(p[0]);
		loop_destroy(l);
	}
}

static void test_mod_and_del(void **state)
{
	(void)state;
	for (size_t i = 0; i < NB; i++) {
		struct loop *l = make(backends[i]);
		struct loop_event ev[4];
		int p[2], a, b;

		if (l == NULL)
			continue;
		assert_int_equal(pipe(p), 0);
		assert_int_equal(loop_mod(l, p[1], LOOP_WRITE, &a), -ENOENT);
		assert_int_equal(loop_add(l, p[1], LOOP_WRITE, &a), 0);
		assert_int_equal(loop_wait(l, ev, 4, 1000000000), 1);
		assert_ptr_equal(ev[0].ptr, &a);
		assert_int_equal(ev[0].events, LOOP_WRITE);
		/* Interest and pointer change take effect at once. */
		assert_int_equal(loop_mod(l, p[1], LOOP_READ, &b), 0);
		assert_int_equal(loop_wait(l, ev, 4, 0), 0);
		assert_int_equal(loop_mod(l, p[1], LOOP_READ | LOOP_WRITE, &b), 0);
		assert_int_equal(loop_wait(l, ev, 4, 1000000000), 1);
		assert_ptr_equal(ev[0].ptr, &b);
		assert_int_equal(loop_del(l, p[1]), 0);
		assert_int_equal(loop_del(l, p[1]), -ENOENT);
		assert_int_equal(loop_wait(l, ev, 4, 0), 0);
		/* Re-added after a del, with a new pointer. */
		assert_int_equal(loop_add(l, p[1], LOOP_WRITE, &a), 0);
		assert_int_equal(loop_wait(l, ev, 4, 1000000000), 1);
		assert_ptr_equal(ev[0].ptr, &a);
		/* fd reuse: del, close, the number comes back for another file. */
		assert_int_equal(loop_del(l, p[1]), 0);
		close(p[1]);
		close(p[0]);
		assert_int_equal(pipe(p), 0);
		assert_int_equal(loop_add(l, p[0], LOOP_READ, &b), 0);
		assert_int_equal(loop_add(l, p[1], LOOP_WRITE, &a), 0);
		assert_int_equal(loop_wait(l, ev, 4, 1000000000), 1);
		assert_ptr_equal(ev[0].ptr, &a);
		loop_del(l, p[0]);
		loop_del(l, p[1]);
		close(p[0]);
		close(p[1]);
		loop_destroy(l);
	}
}

static void test_timeout(void **state)
{
	(void)state;
	for (size_t i = 0; i < NB; i++) {
		struct loop *l = make(backends[i]);
		struct loop_event ev[4];
		int64_t t0, dt;
		int calls = 0;

		if (l == NULL)
			continue;
		/* An early return is allowed (EINTR: task work that io_uring
		 * tear-down queues on this thread; the rings of the tests before,
		 * with receives cancelled, interrupt an epoll wait up to a few
		 * times), spinning (a hundred calls) is not. */
		t0 = clock_now_ns();
		do {
			assert_int_equal(loop_wait(l, ev, 4, 20 * NSEC_PER_MSEC), 0);
			calls++;
			dt = clock_now_ns() - t0;
		} while (dt < 19 * NSEC_PER_MSEC && calls < 100);
		if (calls > 10 || dt > 2 * NSEC_PER_SEC)
			fail_msg("%s: 20 ms of waiting took %d calls, %lld ns",
				 loop_backend_name(backends[i]), calls, (long long)dt);
		loop_destroy(l);
	}
}

/* In a child whose epoll_pwait2 fails with ENOSYS (as under valgrind 3.19
 * or before Linux 5.11): the epoll loop still reports readiness, level-
 * triggered, and times out. The child's exit code says which check failed. */
static int epoll_without_pwait2(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_epoll_pwait2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof f / sizeof f[0], .filter = f };
	struct loop_event ev[4];
	int p[2], tag;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		return 10;
	if (syscall(SYS_epoll_pwait2, -1, NULL, 0, NULL, NULL) != -1 || errno != ENOSYS)
		return 11; /* the filter is not in force */
	struct loop *l = make(LOOP_EPOLL);
	if (pipe(p) != 0 || loop_add(l, p[0], LOOP_READ, &tag) != 0)
		return 12;
	if (loop_wait(l, ev, 4, 0) != 0 || loop_wait(l, ev, 4, 1500 * 1000) != 0)
		return 13; /* nothing ready: a poll, and a timeout of 1.5 ms */
	if (write(p[1], "a", 1) != 1)
		return 14;
	for (int round = 0; round < 2; round++)
		if (loop_wait(l, ev, 4, -1) != 1 || ev[0].ptr != &tag || !(ev[0].events & LOOP_READ))
			return 15 + round;
	loop_destroy(l);
	return 0;
}

static void test_epoll_without_pwait2(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(epoll_without_pwait2());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

#define NPIPES 100

/* More ready fds than `max`: every one is reported within a few waits. */
static void test_fair_past_max(void **state)
{
	(void)state;
	for (size_t i = 0; i < NB; i++) {
		struct loop *l = make(backends[i]);
		static int p[NPIPES][2];
		int seen[NPIPES] = { 0 };
		struct loop_event ev[16];

		if (l == NULL)
			continue;
		for (int k = 0; k < NPIPES; k++) {
			assert_int_equal(pipe(p[k]), 0);
			assert_int_equal(write(p[k][1], "x", 1), 1);
			assert_int_equal(loop_add(l, p[k][0], LOOP_READ, &seen[k]), 0);
		}
		for (int round = 0; round < 3 * NPIPES / 16; round++) {
			int n = loop_wait(l, ev, 16, 1000000000);

			assert_true(n > 0 && n <= 16);
			for (int j = 0; j < n; j++)
				(*(int *)ev[j].ptr)++;
		}
		for (int k = 0; k < NPIPES; k++) {
			if (seen[k] == 0)
				fail_msg("%s: fd %d never reported", loop_backend_name(backends[i]),
					 p[k][0]);
			loop_del(l, p[k][0]);
			close(p[k][0]);
			close(p[k][1]);
		}
		loop_destroy(l);
	}
}

static void test_select_refuses_big_fds(void **state)
{
	struct loop *l = make(LOOP_SELECT);
	struct rlimit rl;
	int big = FD_SETSIZE + 10, fd, tag;

	(void)state;
	assert_int_equal(loop_max_fd(l), FD_SETSIZE - 1);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur <= (rlim_t)big && rl.rlim_max > (rlim_t)big) {
		rl.rlim_cur = (rlim_t)big + 1;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	fd = dup2(0, big);
	if (fd == big) {
		assert_int_equal(loop_add(l, fd, LOOP_READ, &tag), -ERANGE);
		close(fd);
	}
	/* Whatever the limits, the check is on the number, not the file. */
	assert_int_equal(loop_add(l, FD_SETSIZE, LOOP_READ, &tag), -ERANGE);
	assert_int_equal(loop_mod(l, FD_SETSIZE, LOOP_READ, &tag), -EBADF);
	loop_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_level_triggered),
		cmocka_unit_test(test_mod_and_del),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_epoll_without_pwait2),
		cmocka_unit_test(test_fair_past_max),
		cmocka_unit_test(test_select_refuses_big_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
