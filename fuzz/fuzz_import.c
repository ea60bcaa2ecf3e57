/* fuzz_import.c -- a trace reader (Jaeger, Zipkin, OTLP, Alibaba, or the
 * sniffer's choice: the first byte picks; seeds without that byte start
 * with the sniffer) on the bytes, plain or (when they start with gzip's
 * magic) through zlib, with a small open-span bound so that traces are
 * finished early too; each finished trace goes through the summary's
 * aggregation, which walks parent chains (a loop the import failed to cut
 * would hang or overflow here). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "import/overview.h"
#include "import/reader.h"
#include "import/spans.h"

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
	overview_init(&ov);
	import_init(&im, 64, overview_trace, &ov);
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
	}
	import_free(&im);
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
