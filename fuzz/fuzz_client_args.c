/* fuzz_client_args.c -- the client's command line and script files: the
 * input is split on NUL bytes into argv (first byte 0: the rest is written to
 * a file and read with -f, DistWalk's script format), parsed into a client
 * config and program template without connecting anywhere, then encoded once
 * and checked as the node would. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "client/client.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[66], script[] = "/tmp/meshwalk-fuzz-script-XXXXXX";
	int argc = 0, fd = -1;
	struct client_config c;

	if (size > 8192 || memmem(data, size, "/dev/", 5) || memmem(data, size, "/proc", 5))
		return 0; /* -f of a device or FIFO would read forever: not a parser bug */
	buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "client";
	if (size > 0 && buf[0] == '\0') {
		fd = mkstemp(script);
		if (fd < 0 || write(fd, buf + 1, size - 1) != (ssize_t)(size - 1))
			abort();
		close(fd);
		argv[argc++] = "-f";
		argv[argc++] = script;
	} else {
		for (size_t i = 0; i < size && argc < 64; i += strlen(buf + i) + 1)
			argv[argc++] = buf + i;
	}
	argv[argc] = NULL;
	if (cmd_client_parse(argc, argv, &c) == 0) {
		struct wire_buf w;
		struct rng r;
		struct err e;

		wire_buf_init(&w);
		rng_seed(&r, 1, 0);
		prog_encode(c.prog, &r, 0, &w);
		/* A program too big or too long-running for a node's default
		 * limits is the user's choice; a malformed one is our bug. */
		if (wire_prog_check(w.data, (uint32_t)w.len, &wire_default_limits, &e) ==
		    -WIRE_ERR_MALFORMED)
			abort();
		wire_buf_free(&w);
		cmd_client_free(&c);
	}
	if (fd >= 0)
		unlink(script);
	free(buf);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_name("fuzz");
	return 0;
}
