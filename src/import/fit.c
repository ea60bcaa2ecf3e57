/* fit.c -- see fit.h. */
#include "import/fit.h"

#include <string.h>

#include "import/reader.h"

struct first_arg {
	struct fit *f;
	const struct fit_opts *o;
};

/* Each trace of the first read: its calls' clock samples, the model, and
 * the caller's own consumer. */
static void first(void *arg, const struct import *im, const struct trace *t)
{
	struct first_arg *a = arg;

	clockalign_trace(&a->f->clocks, im, t);
	if (a->o->model)
		model_trace(&a->f->model, im, t);
	if (a->o->also)
		a->o->also(a->o->also_arg, im, t);
}

static int read_all(struct import *im, const char *const *files, int n, const char *format,
		    const char **used, struct err *e)
{
	for (int i = 0; i < n; i++) {
		int rc = import_file(im, files[i], format, used ? &used[i] : NULL, e);

		if (rc < 0)
			return rc;
	}
	import_finish(im);
	return 0;
}

int fit_read(struct fit *f, const char *const *files, int n, const struct fit_opts *o,
	     const char **used, struct err *e)
{
	struct first_arg a = { f, o };
	int rc;

	memset(f, 0, sizeof *f);
	clockalign_init(&f->clocks);
	model_init(&f->model, o->tolerance_ns);
	import_init(&f->im, o->max_open, first, &a);
	f->reads = 1;
	rc = read_all(&f->im, files, n, o->format, used, e);
	f->im.arg = NULL; /* a is gone */
	if (rc == 0)
		clockalign_finish(&f->clocks);
	return rc;
}

int fit_align(struct fit *f, const char *const *files, int n, const struct fit_opts *o,
	      struct err *e)
{
	if (!o->model || f->clocks.npairs == 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (strcmp(files[i], "-") == 0) {
			f->unaligned = true;
			f->model.clocks_unaligned = true;
			return 0;
		}
	import_free(&f->im);
	model_free(&f->model);
	model_init(&f->model, o->tolerance_ns);
	f->model.clocks = &f->clocks;
	import_init(&f->im, o->max_open, model_trace, &f->model);
	f->reads = 2;
	return read_all(&f->im, files, n, o->format, NULL, e);
}

void fit_free(struct fit *f)
{
	import_free(&f->im);
	model_free(&f->model);
	clockalign_free(&f->clocks);
}
