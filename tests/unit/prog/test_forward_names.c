/* test_forward_names.c -- forward targets that name their host: written
 * with a scheme (-F http://NAME:PORT/ROUTE, h2c://, grpc://, tcp://,
 * ssl://), a host that is not a numeric address is carried as a name in the
 * FORWARD's names block (proto/wire.c) for the forwarding node to resolve;
 * numeric hosts and DistWalk's HOST:PORT are addresses as before; bad names
 * are refused where the program is parsed and where a node checks it. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "prog/prog_parse.h"
#include "prog_helpers.h"
#include "util/dnsname.h"

static void first_forward(const struct wire_buf *w, struct wire_op *op, struct wire_forward *f)
{
	wire_op_at(w->data, 0, op);
	assert_int_equal(op->code, OP_FORWARD);
	wire_forward_decode(op, f);
}

static void assert_name(const struct wire_forward *f, uint32_t i, const char *want, uint16_t port)
{
	const uint8_t *name;
	uint32_t n = wire_target_name(f, i, &name);
	struct sockaddr_storage ss;
	socklen_t sl;

	assert_int_equal(n, strlen(want));
	assert_memory_equal(name, want, n);
	assert_int_equal(wire_target_port(f, i), port);
	assert_int_equal(wire_target_addr(f, i, &ss, &sl), -EAFNOSUPPORT);
}

static void test_http_h2c_grpc_names(void **state)
{
	struct wire_buf w;
	struct wire_op op;
	struct wire_forward f;
	const uint8_t *sub;
	uint32_t len;

	(void)state;
	wire_buf_init(&w);
	encode("-F http://svc.ns.svc.cluster.local:80/pay,h2c://worker:8080,"
	       "grpc://Grpc-1.example:50051,127.0.0.1:7891,route=pay,nack=2 -R", &w);
	first_forward(&w, &op, &f);
	assert_true(op.flags & WIRE_FWD_NAMES);
	assert_true(f.route);
	assert_int_equal(f.ntargets, 4);
	assert_int_equal(wire_target_transport(&f, 0), WIRE_VIA_HTTP);
	assert_int_equal(wire_target_transport(&f, 1), WIRE_VIA_H2C);
	assert_int_equal(wire_target_transport(&f, 2), WIRE_VIA_GRPC);
	assert_int_equal(wire_target_transport(&f, 3), WIRE_VIA_NATIVE);
	assert_name(&f, 0, "svc.ns.svc.cluster.local", 80);
	assert_name(&f, 1, "worker", 8080);
	assert_name(&f, 2, "Grpc-1.example", 50051);
	/* the address target in the same forward: an empty name, its address */
	const uint8_t *name;
	struct sockaddr_storage ss;
	socklen_t sl;
	assert_int_equal(wire_target_name(&f, 3, &name), 0);
	assert_int_equal(wire_target_addr(&f, 3, &ss, &sl), 0);
	assert_int_equal(wire_target_port(&f, 3), 7891);
	/* the family field of a named target is 0, with its transport */
	assert_int_equal(f.targets[0], 0);
	assert_int_equal(f.targets[1], WIRE_VIA_HTTP);
	wire_forward_sub(&f, 0, &sub, &len); /* after the names block */
	assert_int_equal(len, 3);
	assert_memory_equal(sub, "pay", 3);
	wire_buf_free(&w);
}

static void test_tcp_and_ssl_names_carry_programs(void **state)
{
	struct wire_buf w;
	struct wire_op op;
	struct wire_forward f;
	struct wire_op sub_op;
	const uint8_t *sub;
	uint32_t len;

	(void)state;
	wire_buf_init(&w);
	encode("-F tcp://back.default.svc.cluster.local:7892,ssl://store:7893 -C 1ms -R 1k -R", &w);
	first_forward(&w, &op, &f);
	assert_false(f.route);
	assert_name(&f, 0, "back.default.svc.cluster.local", 7892);
	assert_name(&f, 1, "store", 7893);
	assert_int_equal(wire_target_transport(&f, 0), WIRE_VIA_NATIVE);
	assert_int_equal(wire_target_transport(&f, 1), WIRE_VIA_TLS);
	wire_forward_sub(&f, 0, &sub, &len);
	wire_op_at(sub, 0, &sub_op);
	assert_int_equal(sub_op.code, OP_COMPUTE);
	wire_buf_free(&w);
}

/* Numeric hosts (with or without a scheme) and DistWalk's HOST:PORT are
 * addresses, encoded exactly as before names existed: no names block. */
static void test_addresses_unchanged(void **state)
{
	struct wire_buf a, b;
	struct wire_op op;
	struct wire_forward f;

	(void)state;
	wire_buf_init(&a);
	wire_buf_init(&b);
	encode("-F tcp://127.0.0.1:7892,http://[::1]:8080/x -R", &a);
	first_forward(&a, &op, &f);
	assert_false(op.flags & WIRE_FWD_NAMES);
	assert_null(f.names);
	encode("-F localhost:7892 -R", &a); /* resolved here, as dw_client does */
	encode("-F 127.0.0.1:7892 -R", &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	wire_buf_free(&a);
	wire_buf_free(&b);
}

static void test_descriptions_name_the_host(void **state)
{
	struct prog *p = NULL;
	struct err e;
	char buf[1024];

	(void)state;
	assert_int_equal(prog_parse_text("-F http://front.web:8080/pay -R", &p, &e), 0);
	prog_describe(p, buf, sizeof buf);
	assert_non_null(strstr(buf, "http://front.web:8080"));
	prog_describe_dw(p, buf, sizeof buf);
	assert_non_null(strstr(buf, "http://front.web:8080"));
	prog_destroy(p);
}

static void test_bad_names_refused(void **state)
{
	char long_label[128], long_name[400];

	(void)state;
	parse_fails("-F http://bad_name:80/x -R", "has byte 0x5f");
	parse_fails("-F tcp://-lead.example:7892 -R", "starts or ends with '-'");
	parse_fails("-F tcp://a..b:7892 -R", "empty label");
	parse_fails("-F tcp://svc.local.:7892 -R", "no trailing dot");
	parse_fails("-F tcp://host.123:7892 -R", "all-digit label");
	parse_fails("-F h2c://10.1.2:80/x -R", "all-digit label");
	memset(long_label, 'a', 64);
	long_label[64] = '\0';
	snprintf(long_name, sizeof long_name, "-F tcp://%s.example:7892 -R", long_label);
	parse_fails(long_name, "label of 64 bytes, at most 63");
	memset(long_name, 0, sizeof long_name);
	strcpy(long_name, "-F tcp://");
	for (int i = 0; i < 27; i++)
		strcat(long_name, "abcdefgh.");
	strcat(long_name, "exampleabcd:7892 -R"); /* 254 bytes of name */
	parse_fails(long_name, "at most 253");
}

static void test_dns_name_rules(void **state)
{
	char name[300];
	struct err e;

	(void)state;
	memset(name, 'a', sizeof name);
	for (int i = 63; i < 253; i += 64)
		name[i] = '.';
	assert_int_equal(dns_name_check(name, 253, &e), 0);
	assert_int_equal(dns_name_check(name, 254, &e), -EINVAL);
	assert_int_equal(dns_name_check("a", 1, &e), 0);
	assert_int_equal(dns_name_check("xn--bcher-kva.example", 21, &e), 0);
	assert_int_equal(dns_name_check("", 0, &e), -EINVAL);
	assert_int_equal(dns_name_check("a b", 3, &e), -EINVAL);
	assert_true(dns_name_reserved_invalid("x.invalid", 9));
	assert_true(dns_name_reserved_invalid("INVALID", 7));
	assert_false(dns_name_reserved_invalid("notinvalid", 10));
	assert_false(dns_name_reserved_invalid("invalid.example", 15));
}

/* A node's check of hand-made (or damaged) names blocks. */
static void test_wire_check(void **state)
{
	struct wire_buf w;
	struct err e;
	size_t target = WIRE_OP_HDR_LEN + 24, names = target + WIRE_TARGET_LEN;

	(void)state;
	wire_buf_init(&w);
	encode("-F http://abc:80/x -R", &w);
	/* layout: op header, fixed part, one target, u8 3 "abc", sub-program */
	assert_int_equal(w.data[names], 3);
	assert_memory_equal(w.data + names + 1, "abc", 3);
	w.data[names + 2] = '_';
	assert_int_equal(wire_prog_check(w.data, (uint32_t)w.len, &wire_default_limits, &e),
			 -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "FORWARD target 0: host name"));
	w.data[names + 2] = 'b';
	w.data[target] = 4; /* a name and an address family */
	assert_int_equal(wire_prog_check(w.data, (uint32_t)w.len, &wire_default_limits, &e),
			 -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "has a host name and an address"));
	w.data[target] = 0;
	w.data[target + 4] = 1; /* an address beside the name */
	assert_int_equal(wire_prog_check(w.data, (uint32_t)w.len, &wire_default_limits, &e),
			 -WIRE_ERR_MALFORMED);
	w.data[target + 4] = 0;
	w.data[names] = 250; /* the name overruns the op */
	assert_int_equal(wire_prog_check(w.data, (uint32_t)w.len, &wire_default_limits, &e),
			 -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "names block overruns"));
	w.data[names] = 3;
	w.data[1] &= (uint8_t)~WIRE_FWD_NAMES; /* a family-0 target without the block */
	assert_int_equal(wire_prog_check(w.data, (uint32_t)w.len, &wire_default_limits, &e),
			 -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "address family 0"));
	w.data[1] |= WIRE_FWD_NAMES;
	w.data[names] = 0; /* the block says "no name" for a family-0 target */
	assert_int_equal(wire_prog_check(w.data, (uint32_t)w.len, &wire_default_limits, &e),
			 -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "no host name"));
	w.data[1] |= 0x08; /* unknown flags stay refused */
	assert_int_equal(wire_prog_check(w.data, (uint32_t)w.len, &wire_default_limits, &e),
			 -WIRE_ERR_MALFORMED);
	wire_buf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_h2c_grpc_names),
		cmocka_unit_test(test_tcp_and_ssl_names_carry_programs),
		cmocka_unit_test(test_addresses_unchanged),
		cmocka_unit_test(test_descriptions_name_the_host),
		cmocka_unit_test(test_bad_names_refused),
		cmocka_unit_test(test_dns_name_rules),
		cmocka_unit_test(test_wire_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
