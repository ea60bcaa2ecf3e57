/* test_forward_http.c -- forwards to http:// targets: -F http://HOST:PORT/NAME
 * and -F http://HOST:PORT,route=NAME build the same route forward, whose
 * targets carry the HTTP transport in the wire program (proto/wire.c); a
 * program cannot be sent to an HTTP target, neither from the op words nor
 * in a hand-made program a node receives. h2c://, grpc://, https:// and
 * grpcs:// targets likewise, each with its transport. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "prog/prog_parse.h"
#include "prog_helpers.h"

/* The first op of w, a FORWARD, decoded. */
static void first_forward(const struct wire_buf *w, struct wire_forward *f)
{
	struct wire_op op;

	wire_op_at(w->data, 0, &op);
	assert_int_equal(op.code, OP_FORWARD);
	wire_forward_decode(&op, f);
}

static void test_path_and_route_option_agree(void **state)
{
	struct wire_buf a, b;
	struct wire_forward f;
	const uint8_t *sub;
	uint32_t len;

	(void)state;
	wire_buf_init(&a);
	wire_buf_init(&b);
	encode("-C 1ms -F http://127.0.0.1:8080/pay,127.0.0.1:7891,nack=1 -R 10", &a);
	encode("-C 1ms -F http://127.0.0.1:8080,127.0.0.1:7891,route=pay,nack=1 -R 10", &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	/* skip the COMPUTE */
	struct wire_op op;
	wire_op_at(a.data, 0, &op);
	wire_op_at(a.data, op.len, &op);
	assert_int_equal(op.code, OP_FORWARD);
	wire_forward_decode(&op, &f);
	assert_true(f.route);
	assert_int_equal(f.ntargets, 2);
	assert_int_equal(wire_target_transport(&f, 0), WIRE_VIA_HTTP);
	assert_int_equal(wire_target_transport(&f, 1), WIRE_VIA_NATIVE);
	wire_forward_sub(&f, 0, &sub, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(sub, "pay", 3);
	/* the address reads as before: the transport is not part of it */
	struct sockaddr_storage ss;
	socklen_t sl;
	assert_int_equal(wire_target_addr(&f, 0, &ss, &sl), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(sock_addr_port((struct sockaddr *)&ss), 8080);
	wire_buf_free(&a);
	wire_buf_free(&b);
}

/* h2c:// and grpc:// targets: a route each, their own transports, in one
 * forward with native ones. */
static void test_h2c_and_grpc_targets(void **state)
{
	struct wire_buf w, same;
	struct wire_forward f;
	const uint8_t *sub;
	uint32_t len;

	(void)state;
	wire_buf_init(&w);
	wire_buf_init(&same);
	encode("-F h2c://127.0.0.1:8080/pay,grpc://127.0.0.1:50051/pay,127.0.0.1:7891,nack=2 -R", &w);
	encode("-F h2c://127.0.0.1:8080,grpc://127.0.0.1:50051,127.0.0.1:7891,route=pay,nack=2 -R", &same);
	assert_int_equal(w.len, same.len);
	assert_memory_equal(w.data, same.data, w.len);
	first_forward(&w, &f);
	assert_true(f.route);
	assert_int_equal(f.ntargets, 3);
	assert_int_equal(wire_target_transport(&f, 0), WIRE_VIA_H2C);
	assert_int_equal(wire_target_transport(&f, 1), WIRE_VIA_GRPC);
	assert_int_equal(wire_target_transport(&f, 2), WIRE_VIA_NATIVE);
	wire_forward_sub(&f, 0, &sub, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(sub, "pay", 3);
	parse_fails("-F h2c://127.0.0.1:8080 -R -R", "an h2c:// target runs a route");
	parse_fails("-F grpc://127.0.0.1:8080 -R -R", "an grpc:// target runs a route");
	wire_buf_free(&w);
	wire_buf_free(&same);
}

/* https:// and grpcs:// targets (HTTP over TLS): their own transports, a
 * route each, printed back with their schemes. */
static void test_https_and_grpcs_targets(void **state)
{
	struct wire_buf w, same;
	struct wire_forward f;
	struct prog *p = NULL;
	struct err e;
	char text[512];
	const uint8_t *sub;
	uint32_t len;

	(void)state;
	wire_buf_init(&w);
	wire_buf_init(&same);
	encode("-F https://127.0.0.1:8443/pay,grpcs://127.0.0.1:50052/pay,ssl://127.0.0.1:7891 -R", &w);
	encode("-F https://127.0.0.1:8443,grpcs://127.0.0.1:50052,ssl://127.0.0.1:7891,route=pay -R",
	       &same);
	assert_int_equal(w.len, same.len);
	assert_memory_equal(w.data, same.data, w.len);
	first_forward(&w, &f);
	assert_true(f.route);
	assert_int_equal(f.ntargets, 3);
	assert_int_equal(wire_target_transport(&f, 0), WIRE_VIA_HTTPS);
	assert_int_equal(wire_target_transport(&f, 1), WIRE_VIA_GRPCS);
	assert_int_equal(wire_target_transport(&f, 2), WIRE_VIA_TLS);
	wire_forward_sub(&f, 0, &sub, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(sub, "pay", 3);
	assert_int_equal(prog_parse_text("-F https://127.0.0.1:8443/pay,grpcs://127.0.0.1:50052/pay -R",
					 &p, &e), 0);
	prog_describe(p, text, sizeof text);
	assert_non_null(strstr(text, "https://127.0.0.1:8443,grpcs://127.0.0.1:50052,route=pay"));
	prog_destroy(p);
	parse_fails("-F https://127.0.0.1:8443 -R -R", "an https:// target runs a route");
	parse_fails("-F grpcs://127.0.0.1:8443 -R -R", "an grpcs:// target runs a route");
	parse_fails("-F https://127.0.0.1:8443/a,grpcs://127.0.0.1:8444/b -R", "one forward runs one route");
	parse_fails("-F https://127.0.0.1:8443/bad*name -R", "-F https://127.0.0.1:8443/bad*name");
	wire_buf_free(&w);
	wire_buf_free(&same);
}

static void test_native_targets_unchanged(void **state)
{
	struct wire_buf w;
	struct wire_forward f;

	(void)state;
	wire_buf_init(&w);
	encode("-F 127.0.0.1:7892 -C 1ms -R", &w);
	first_forward(&w, &f);
	assert_int_equal(wire_target_transport(&f, 0), WIRE_VIA_NATIVE);
	/* the family field is exactly 4, as before HTTP forwards */
	assert_int_equal(f.targets[0], 4);
	assert_int_equal(f.targets[1], 0);
	wire_buf_free(&w);
}

static void test_refused(void **state)
{
	(void)state;
	parse_fails("-F http://127.0.0.1:8080 -R -R", "an http:// target runs a route");
	parse_fails("-F http://127.0.0.1:8080,branch -R -R", "an http:// target runs a route");
	parse_fails("-F http://127.0.0.1:8080/a,http://127.0.0.1:8081/b -R", "one forward runs one route");
	parse_fails("-F http://127.0.0.1:8080/a,route=b -R", "one forward runs one route");
	parse_fails("-F http://127.0.0.1:8080/bad*name -R", "-F http://127.0.0.1:8080/bad*name");
	parse_fails("-F http://127.0.0.1:99999/a -R", "bad port");
}

/* A node refuses a program whose HTTP target carries a sub-program, and an
 * unknown transport. */
static void test_wire_check(void **state)
{
	struct wire_buf w;
	struct err e;

	(void)state;
	wire_buf_init(&w);
	encode("-F 127.0.0.1:7892 -C 1ms -R", &w);
	/* the first target's family: the FORWARD's body starts after the op
	 * header and the 24 fixed bytes */
	size_t fam = WIRE_OP_HDR_LEN + 24;
	w.data[fam + 1] = WIRE_VIA_HTTP;
	assert_int_equal(wire_prog_check(w.data, (uint32_t)w.len, &wire_default_limits, &e),
			 -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "reached over HTTP but the forward carries a program"));
	for (uint8_t via = WIRE_VIA_H2C; via <= WIRE_VIA_GRPCS; via++) {
		w.data[fam + 1] = via;
		assert_int_equal(wire_prog_check(w.data, (uint32_t)w.len, &wire_default_limits, &e),
				 -WIRE_ERR_MALFORMED);
		assert_non_null(strstr(e.msg, "reached over HTTP but the forward carries a program"));
	}
	w.data[fam + 1] = 9;
	assert_int_equal(wire_prog_check(w.data, (uint32_t)w.len, &wire_default_limits, &e),
			 -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "unknown transport 9"));
	wire_buf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_and_route_option_agree),
		cmocka_unit_test(test_h2c_and_grpc_targets),
		cmocka_unit_test(test_https_and_grpcs_targets),
		cmocka_unit_test(test_native_targets_unchanged),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_wire_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
