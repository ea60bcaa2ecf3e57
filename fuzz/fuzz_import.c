/* fuzz_import.c -- a trace reader (Jaeger, Zipkin, OTLP, Alibaba, or the
 * sniffer's choice: the first byte picks; seeds without that byte start
 * with the sniffer) on the bytes, plain or (when they start with gzip's
 * magic) through zlib, with a small open-span bound so that traces are
 * finished early too; each finished trace goes through the summary's
 * aggregation, which walks parent chains (a loop the import failed to cut
 * would hang or overflow here), and through the model fit; the scenario the
 * writer makes of them must load (scenario_load: what meshwalk run reads),
 * else the target aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <stdlib.h>

#include "import/model.h"
#include "import/overview.h"
#include "import/reader.h"
#include "import/spans.h"
#include "import/writer.h"
#include "scenario/scenario.h"

struct both {
	struct overview *ov;
	struct model *m;
};

static void both_trace(void *arg, const struct import *im, const struct trace *t)
{
	struct both *b = arg;

	overview_trace(b->ov, im, t);
	model_trace(b->m, im, t);
}

/* The fitted scenario, written to a memfd and loaded back. */
static void write_and_load(const struct model *m, const struct import *im)
{
	struct writer_opts o;
	struct scenario sc;
	struct err e;
	char path[64];
	int fd = memfd_create("scenario", MFD_CLOEXEC);
	FILE *f;

	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	writer_opts_init(&o);
	o.requests = 10;
	if (writer_write(m, im, &o, f, &e) < 0 || fflush(f) != 0) {
		fclose(f);
		return; /* refused with a message (a cycle, ...): fine */
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (scenario_load(path, NULL, 0, &sc, &e) < 0) {
		fprintf(stderr, "the written scenario does not load: %s\n", e.msg);
		abort();
	}
	scenario_free(&sc);
	fclose(f);
}

static void run(const struct import_reader *r, const uint8_t *data, size_t size)
{
	struct overview ov;
	struct import im;
	struct src s;
	struct err e;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return;
	}
	struct model m;
	struct both b = { &ov, &m };

	overview_init(&ov);
	model_init(&m, MODEL_DEFAULT_TOLERANCE_NS);
	import_init(&im, 64, both_trace, &b);
	if (src_open_fd(&s, fd, "fuzz", &e) == 0) {
		if (r == NULL) {
			size_t len;
			const unsigned char *head = src_head(&s, &len);

			r = import_sniff(head, len);
		}
		if (r)
			(void)r->read(&im, &s, &e);
		src_close(&s);
	}
	import_finish(&im);
	if (im.st.spans) { /* the printing path too, into nowhere */
		FILE *f = fopen("/dev/null", "w");

		if (f) {
			overview_print(&ov, &im, f);
			fclose(f);
		}
		write_and_load(&m, &im);
	}
	import_free(&im);
	model_free(&m);
	overview_free(&ov);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct import_reader *const *rs = import_readers();
	size_t n = 0, pick;

	if (size > (1 << 20))
		return 0;
	while (rs[n])
		n++;
	/* One reader per input: five times the executions of running all. A
	 * first byte that is not a small number is the input's own (the seeds):
	 * the sniffer reads all of it. */
	pick = size ? data[0] : 0xff;
	if (pick < n)
		run(rs[pick], data + 1, size - 1);
	else if (pick == n)
		run(NULL, data + 1, size - 1);
	else
		run(NULL, data, size);
	return 0;
}
