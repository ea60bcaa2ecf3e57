/* test_loop_io.c -- the socket I/O of the io_uring loop (net/loop.h): only
 * io_uring has it; receives bring bytes in order, pause and resume with the
 * interest (a pause never loses bytes), end with 0 at end of stream; buffers
 * come back to the ring (more rounds than buffers, more sockets than
 * buffers); sends may be partial and the rest goes after; a removed fd's
 * late completions are never reported, not even to a new registration of
 * the same fd number (and requests it queued do not reach a socket that
 * took the number before they were submitted), and the block of its send in
 * flight is freed by the loop (LeakSanitizer and ASan watch that); destroy
 * waits for what is in flight. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/loop.h"

#define SEC 1000000000LL

/* An io_uring loop with socket I/O, or NULL (the test is skipped). */
static struct loop *make_io(void)
{
	struct loop *l = NULL;
	struct err e;

	err_clear(&e);
	if (loop_create(&l, LOOP_URING, &e) < 0)
		return NULL;
	if (!loop_has_io(l)) {
		loop_destroy(l);
		return NULL;
	}
	return l;
}

static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
}

/* An io loop reading sv[0] (registered with tag), or the test skipped. */
static struct loop *open_pair(int sv[2], void *tag)
{
	struct loop *l = make_io();

	if (l == NULL)
		skip();
	pair(sv);
	assert_int_equal(loop_add(l, sv[0], LOOP_READ | LOOP_RECV, tag), 0);
	return l;
}

/* Waits (up to a second) for one event and returns it (a wait may return
 * none: a completion of the loop's own, a cancellation, was all it saw). */
static struct loop_event one(struct loop *l)
{
	struct loop_event ev[4];
	int n = 0;

	for (int i = 0; i < 100 && n == 0; i++)
		n = loop_wait(l, ev, 1, SEC / 100);
	assert_int_equal(n, 1);
	return ev[0];
}

static void test_only_uring_has_io(void **state)
{
	static const enum loop_backend others[] = { LOOP_EPOLL, LOOP_POLL, LOOP_SELECT,
						    LOOP_URING_POLL };
	int sv[2], tag;

	(void)state;
	pair(sv);
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
		struct loop *l = NULL;
		struct err e;

		if (loop_create(&l, others[i], &e) < 0)
			continue; /* io_uring refused here */
		assert_false(loop_has_io(l));
		assert_int_equal(loop_add(l, sv[0], LOOP_READ | LOOP_RECV, &tag), -EOPNOTSUPP);
		assert_int_equal(loop_add(l, sv[0], LOOP_READ, &tag), 0);
		assert_int_equal(loop_mod(l, sv[0], LOOP_READ | LOOP_RECV, &tag), -EOPNOTSUPP);
		assert_int_equal(loop_send(l, sv[0], "x", 1, NULL), -EOPNOTSUPP);
		loop_destroy(l);
	}
	close(sv[0]);
	close(sv[1]);
}

static void test_recv_pause_eof(void **state)
{
	struct loop_event ev[4], e;
	int sv[2], tag;
	struct loop *l = open_pair(sv, &tag);

	(void)state;
	assert_int_equal(loop_wait(l, ev, 4, 0), 0);
	assert_int_equal(write(sv[1], "hello", 5), 5);
	e = one(l);
	assert_ptr_equal(e.ptr, &tag);
	assert_int_equal(e.events, LOOP_RECV);
	assert_int_equal(e.res, 5);
	assert_memory_equal(e.data, "hello", 5);
	/* Read, not reported readable: nothing more. */
	assert_int_equal(loop_wait(l, ev, 4, 20000000), 0);
	/* Paused (once the next wait has told the kernel): bytes wait in the
	 * socket... */
	assert_int_equal(loop_mod(l, sv[0], LOOP_RECV, &tag), 0);
	assert_int_equal(loop_wait(l, ev, 4, 20000000), 0);
	assert_int_equal(write(sv[1], "ab", 2), 2);
	assert_int_equal(loop_wait(l, ev, 4, 50000000), 0);
	/* ...until the interest holds LOOP_READ again. */
	assert_int_equal(loop_mod(l, sv[0], LOOP_READ | LOOP_RECV, &tag), 0);
	e = one(l);
	assert_int_equal(e.res, 2);
	assert_memory_equal(e.data, "ab", 2);
	/* Paused with bytes on their way: they are reported, not lost. */
	assert_int_equal(write(sv[1], "cd", 2), 2);
	assert_int_equal(loop_mod(l, sv[0], LOOP_RECV, &tag), 0);
	assert_int_equal(loop_mod(l, sv[0], LOOP_READ | LOOP_RECV, &tag), 0);
	e = one(l);
	assert_int_equal(e.res, 2);
	assert_memory_equal(e.data, "cd", 2);
	assert_int_equal(loop_wait(l, ev, 4, 20000000), 0);
	assert_int_equal(write(sv[1], "ef", 2), 2);
	e = one(l);
	assert_int_equal(e.res, 2);
	assert_memory_equal(e.data, "ef", 2);
	close(sv[1]);
	e = one(l);
	assert_int_equal(e.events, LOOP_RECV);
	assert_int_equal(e.res, 0);
	assert_int_equal(loop_del(l, sv[0]), 0);
	close(sv[0]);
	loop_destroy(l);
}

/* More rounds than the ring has buffers: each comes back after its wait. */
static void test_buffers_come_back(void **state)
{
	int sv[2], tag;
	struct loop *l = open_pair(sv, &tag);

	(void)state;
	for (int i = 0; i < 2000; i++) {
		char msg[16];
		int n = snprintf(msg, sizeof msg, "m%d", i);
		struct loop_event e;

		assert_int_equal(write(sv[1], msg, (size_t)n), n);
		e = one(l);
		assert_int_equal(e.res, n);
		assert_memory_equal(e.data, msg, (size_t)n);
	}
	loop_del(l, sv[0]);
	close(sv[0]);
	close(sv[1]);
	loop_destroy(l);
}

#define MANY 300 /* sockets with bytes at once: more than the ring's buffers */

/* Every socket's bytes are reported once, whole, though not every receive
 * finds a buffer at once (those are tried again). */
static void test_more_sockets_than_buffers(void **state)
{
	struct loop *l = make_io();
	static int sv[MANY][2];
	static int got[MANY];
	struct loop_event ev[512];
	int left = MANY;

	(void)state;
	if (l == NULL)
		skip();
	for (int i = 0; i < MANY; i++) {
		pair(sv[i]);
		got[i] = 0;
		assert_int_equal(loop_add(l, sv[i][0], LOOP_READ | LOOP_RECV, &got[i]), 0);
	}
	assert_int_equal(loop_wait(l, ev, 512, 0), 0); /* every receive in flight */
	for (int i = 0; i < MANY; i++)
		assert_int_equal(write(sv[i][1], "0123456789", 10), 10);
	for (int round = 0; left > 0 && round < 1000; round++) {
		int n = loop_wait(l, ev, 512, SEC);

		assert_true(n >= 0 && n <= 256); /* 0: only receives that found no buffer */
		for (int k = 0; k < n; k++) {
			int *g = ev[k].ptr;

			assert_int_equal(ev[k].events, LOOP_RECV);
			assert_int_equal(ev[k].res, 10);
			assert_memory_equal(ev[k].data, "0123456789", 10);
			assert_int_equal(*g, 0);
			*g = 1;
			left--;
		}
	}
	assert_int_equal(left, 0);
	for (int i = 0; i < MANY; i++) {
		loop_del(l, sv[i][0]);
		close(sv[i][0]);
		close(sv[i][1]);
	}
	loop_destroy(l);
}

#define BIG (4 << 20)

/* A send larger than the socket takes completes short; the rest goes in
 * later sends, and the reader gets every byte in order. */
static void test_partial_sends(void **state)
{
	struct loop *l = make_io();
	uint8_t *buf = malloc(BIG), *in = malloc(BIG);
	size_t sent = 0, recvd = 0;
	int sv[2], tag, partial = 0, sndbuf = 65536;

	(void)state;
	if (l == NULL) {
		free(buf);
		free(in);
		skip();
	}
	for (size_t i = 0; i < BIG; i++)
		buf[i] = (uint8_t)(i * 7 + i / 251);
	pair(sv);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	assert_int_equal(loop_add(l, sv[0], LOOP_RECV, &tag), 0);
	assert_int_equal(loop_send(l, sv[0], buf, BIG, NULL), 0);
	assert_int_equal(loop_send(l, sv[0], buf, 1, NULL), -EBUSY);
	while (sent < BIG) {
		struct loop_event e = one(l);
		ssize_t n;

		assert_int_equal(e.events, LOOP_SENT);
		assert_ptr_equal(e.ptr, &tag);
		assert_true(e.res > 0 && (size_t)e.res <= BIG - sent);
		sent += (size_t)e.res;
		if (sent < BIG) {
			partial++;
			assert_int_equal(loop_send(l, sv[0], buf + sent, BIG - sent, NULL), 0);
		}
		while ((n = read(sv[1], in + recvd, BIG - recvd)) > 0)
			recvd += (size_t)n;
	}
	assert_true(partial > 0);
	while (recvd < BIG) {
		ssize_t n = read(sv[1], in + recvd, BIG - recvd);

		assert_true(n > 0);
		recvd += (size_t)n;
	}
	assert_memory_equal(in, buf, BIG);
	/* A peer gone: the send fails with the error. */
	close(sv[1]);
	assert_int_equal(loop_send(l, sv[0], buf, 100, NULL), 0);
	struct loop_event e = one(l);
	assert_int_equal(e.events, LOOP_SENT);
	assert_int_equal(e.res, -EPIPE);
	loop_del(l, sv[0]);
	close(sv[0]);
	loop_destroy(l);
	free(buf);
	free(in);
}

/* Fills sv[0] with a send that stays in flight (nobody reads sv[1]); the
 * block is malloc'd and handed to the loop. */
static void send_stuck(struct loop *l, int sv[2], void *tag)
{
	int sndbuf = 4096;
	uint8_t *block = calloc(1, BIG);
	struct loop_event e;

	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	assert_int_equal(loop_add(l, sv[0], LOOP_READ | LOOP_RECV, tag), 0);
	assert_int_equal(loop_send(l, sv[0], block, BIG, block), 0);
	e = one(l); /* the first part fits */
	assert_int_equal(e.events, LOOP_SENT);
	assert_true(e.res > 0 && e.res < BIG);
	assert_int_equal(loop_send(l, sv[0], block + e.res, (size_t)(BIG - e.res), block), 0);
	assert_int_equal(loop_wait(l, &e, 1, 20000000), 0); /* stuck */
}

/* Removes and closes sv, then opens sv2, whose sv2[0] takes sv[0]'s number,
 * registered with tag. */
static void reuse_number(struct loop *l, int sv[2], int sv2[2], void *tag)
{
	assert_int_equal(loop_del(l, sv[0]), 0);
	close(sv[0]);
	close(sv[1]);
	pair(sv2);
	assert_int_equal(sv2[0], sv[0]);
	assert_int_equal(loop_add(l, sv2[0], LOOP_READ | LOOP_RECV, tag), 0);
}

static void test_del_with_io_in_flight(void **state)
{
	struct loop *l = make_io();
	struct loop_event ev[4], e;
	int sv[2], sv2[2], old_tag, new_tag;

	(void)state;
	if (l == NULL)
		skip();
	pair(sv);
	send_stuck(l, sv, &old_tag);
	/* Bytes arrive for a receive in flight, but the fd is removed (and
	 * closed) before the loop reports them; its send is cancelled. */
	assert_int_equal(write(sv[1], "old", 3), 3);
	/* The fd numbers come back for a new connection: it hears only its own. */
	reuse_number(l, sv, sv2, &new_tag);
	assert_int_equal(loop_wait(l, ev, 4, 50000000), 0);
	assert_int_equal(write(sv2[1], "new", 3), 3);
	e = one(l);
	assert_ptr_equal(e.ptr, &new_tag);
	assert_int_equal(e.res, 3);
	assert_memory_equal(e.data, "new", 3);
	/* destroy with a send in flight on a live fd: it waits for the kernel
	 * (the block stays the caller's) */
	static uint8_t still[1 << 20];
	int sndbuf = 4096;
	setsockopt(sv2[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	assert_int_equal(loop_send(l, sv2[0], still, sizeof still, NULL), 0);
	loop_destroy(l);
	close(sv2[0]);
	close(sv2[1]);
}

/* Removed before the next wait submitted its requests, and the fd number
 * given to a new socket at once: neither the receive nor the send reaches
 * the new socket (they would run on it), and the send's block is freed. */
static void test_del_before_submit(void **state)
{
	struct loop *l = make_io();
	int sv[2], sv2[2], old_tag, new_tag;
	char buf[16];
	char *block = malloc(3);
	struct loop_event e;

	(void)state;
	if (l == NULL) {
		free(block);
		skip();
	}
	memcpy(block, "OLD", 3);
	pair(sv);
	assert_int_equal(loop_add(l, sv[0], LOOP_READ | LOOP_RECV, &old_tag), 0);
	assert_int_equal(loop_send(l, sv[0], block, 3, block), 0);
	reuse_number(l, sv, sv2, &new_tag);
	assert_int_equal(write(sv2[1], "new", 3), 3);
	e = one(l);
	assert_ptr_equal(e.ptr, &new_tag);
	assert_int_equal(e.res, 3);
	assert_memory_equal(e.data, "new", 3);
	assert_int_equal(read(sv2[1], buf, sizeof buf), -1); /* nothing was sent to it */
	assert_int_equal(errno, EAGAIN);
	loop_del(l, sv2[0]);
	close(sv2[0]);
	close(sv2[1]);
	loop_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_uring_has_io),
		cmocka_unit_test(test_recv_pause_eof),
		cmocka_unit_test(test_buffers_come_back),
		cmocka_unit_test(test_more_sockets_than_buffers),
		cmocka_unit_test(test_partial_sends),
		cmocka_unit_test(test_del_with_io_in_flight),
		cmocka_unit_test(test_del_before_submit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
