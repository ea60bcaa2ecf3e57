/* test_netdelay.c -- --net-delay rules (forms, matching, sums) and the delay
 * queue (order kept, release by time, reset). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "net/netdelay.h"

static struct sockaddr_in v4(const char *ip, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

static void test_forms_and_matching(void **state)
{
	struct netdelay d;
	struct err e;
	struct sockaddr_in a = v4("10.1.2.3", 7891), b = v4("127.0.0.1", 40000),
			   c = v4("127.0.0.9", 7892);

	(void)state;
	netdelay_init(&d);
	assert_int_equal(netdelay_add(&d, "2ms", &e), 0);                      /* every peer */
	assert_int_equal(netdelay_add(&d, "10.0.0.0/8=unif:min=1ms,max=3ms", &e), 0);
	assert_int_equal(netdelay_add(&d, "127.0.0.9:7892,10.9.9.9=500us", &e), 0);
	assert_int_equal(netdelay_add(&d, "unif:min=1us,max=2us", &e), 0);     /* '=' of a spec */
	assert_int_equal(d.n, 4);
	assert_true(d.rules[0].all);
	assert_false(d.rules[1].all);
	assert_true(d.rules[3].all);
	assert_int_equal(netdelay_match(&d, (struct sockaddr *)&a), 0x1 | 0x2 | 0x8);
	assert_int_equal(netdelay_match(&d, (struct sockaddr *)&b), 0x1 | 0x8);
	assert_int_equal(netdelay_match(&d, (struct sockaddr *)&c), 0x1 | 0x4 | 0x8);
	netdelay_free(&d);
}

/* Peers are matched, not permitted: link-local peers match a prefix as any
 * address does (a forward allow-list would want them named exactly). */
static void test_link_local_peers(void **state)
{
	struct netdelay d;
	struct err e;
	struct sockaddr_in a = v4("169.254.169.254", 80);

	(void)state;
	netdelay_init(&d);
	assert_int_equal(netdelay_add(&d, "169.254.0.0/16=1ms", &e), 0);
	assert_int_equal(netdelay_match(&d, (struct sockaddr *)&a), 0x1);
	netdelay_free(&d);
}

static void test_samples_add_up(void **state)
{
	struct netdelay d;
	struct err e;
	struct rng r;

	(void)state;
	rng_seed(&r, 7, 0);
	netdelay_init(&d);
	assert_int_equal(netdelay_add(&d, "2ms", &e), 0);
	assert_int_equal(netdelay_add(&d, "127.0.0.1=unif:min=100us,max=200us", &e), 0);
	assert_int_equal(netdelay_sample_ns(&d, 0x1, &r, 0), 2000000);
	assert_int_equal(netdelay_sample_ns(&d, 0, &r, 0), 0);
	for (int i = 0; i < 1000; i++) {
		int64_t ns = netdelay_sample_ns(&d, 0x3, &r, (uint64_t)i);

		assert_true(ns >= 2100000 && ns <= 2200000);
	}
	netdelay_free(&d);
}

static void test_rejects(void **state)
{
	struct netdelay d;
	struct err e;

	(void)state;
	netdelay_init(&d);
	assert_int_equal(netdelay_add(&d, "soon", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "delay 'soon'"));
	assert_int_equal(netdelay_add(&d, "=2ms", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "empty peer list"));
	assert_int_equal(netdelay_add(&d, "10.0.0.0/99=2ms", &e), -EINVAL);
	assert_int_equal(netdelay_add(&d, "10.0.0.1=later", &e), -EINVAL);
	/* A spec with a bad parameter keeps the spec's own message. */
	assert_int_equal(netdelay_add(&d, "unif:min=3ms,max=1ms", &e), -EINVAL);
	assert_null(strstr(e.msg, "peer"));
	assert_int_equal(d.n, 0);
	for (int i = 0; i < NETDELAY_MAX_RULES; i++)
		assert_int_equal(netdelay_add(&d, "1us", &e), 0);
	assert_int_equal(netdelay_add(&d, "1us", &e), -EINVAL);
	netdelay_free(&d);
}

static void test_queue_keeps_order(void **state)
{
	struct delay_queue q;
	int64_t due;

	(void)state;
	delay_queue_init(&q);
	delay_queue_reset(&q);
	uint32_t epoch = q.epoch;
	assert_false(delay_queue_next(&q, &due));
	assert_true(delay_queue_push(&q, 100, 5000));   /* first: caller arms a timer */
	assert_false(delay_queue_push(&q, 200, 3000));  /* earlier due: held until 5000 */
	assert_false(delay_queue_push(&q, 300, 9000));
	assert_true(delay_queue_next(&q, &due));
	assert_int_equal(due, 5000);
	assert_int_equal(delay_queue_release(&q, 4999), 0);
	assert_int_equal(delay_queue_release(&q, 5000), 200); /* both, in order */
	assert_true(delay_queue_next(&q, &due));
	assert_int_equal(due, 9000);
	/* Growth past the initial ring, wrapping around. */
	for (int i = 0; i < 100; i++)
		delay_queue_push(&q, 400 + (uint64_t)i, 10000 + i);
	assert_int_equal(delay_queue_release(&q, 10049), 449);
	assert_int_equal(delay_queue_release(&q, 1 << 30), 499);
	assert_false(delay_queue_next(&q, &due));
	delay_queue_push(&q, 600, 1);
	delay_queue_reset(&q);
	assert_int_equal(q.epoch, epoch + 1);
	assert_false(delay_queue_next(&q, &due));
	assert_int_equal(delay_queue_release(&q, 1 << 30), 0);
	delay_queue_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms_and_matching),
		cmocka_unit_test(test_link_local_peers),
		cmocka_unit_test(test_samples_add_up),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_queue_keeps_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
