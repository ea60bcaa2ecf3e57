/* import_tune.c -- see import_tune.h. */
#include "cli/import_tune.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cmd.h"
#include "import/validate.h"
#include "util/log.h"
#include "util/xalloc.h"

/* What a round measured and what the baseline became, per edge. */
static void print_round(const struct netbase *got, const struct netbase *base, unsigned k)
{
	fprintf(stderr, "round %u: the clone's own hop per call edge, mean and variance (this "
			"round's measure, then the baseline the next fit takes off):\n", k);
	for (uint32_t i = 0; i < got->n; i++) {
		double m, v;

		netbase_get(base, got->e[i].from, got->e[i].to, &m, &v);
		fprintf(stderr, "  %s -> %s: %+.1f us, %+.0f us^2; baseline %.1f us, %.0f us^2\n",
			got->e[i].from, got->e[i].to, got->e[i].mean_ns / 1000.0,
			got->e[i].var_ns2 / 1e6, m / 1000.0, v / 1e6);
	}
	fprintf(stderr, "  other edges: baseline %.1f us, %.0f us^2\n", base->mean_ns / 1000.0,
		base->var_ns2 / 1e6);
}

/* Round k: the scenario at yaml run traced into run, its spans measured
 * against the traces' model, the clone's extra added to base. */
static int round_of(const struct fit *fit, const struct writer_names *nm, struct netbase *base,
		    const struct trace_opts *to, const char *yaml, const char *run, unsigned k)
{
	static char traced[] = "trace_sample=1";
	char *sets[] = { traced };
	char ran[4096], *spans = NULL;
	struct fit cl;
	struct netbase got;
	bool have = false;
	int rc;

	log_msg("--tune: round %u: running %s traced into %s", k, yaml, run);
	rc = cmd_run_for(yaml, run, sets, 1, ran, sizeof ran);
	log_set_name("meshwalk import");
	if (rc == 2 || rc == 130 || ran[0] == '\0')
		return rc ? rc : 1;
	if (rc != 0)
		log_msg("--tune: the run of %s exited with status %d; measuring what it left", yaml,
			rc);
	memset(&cl, 0, sizeof cl);
	rc = trace_fit_results(ran, to, &cl, &spans, &have);
	if (rc == 0 && !have) {
		log_msg("--tune: the run left no spans (%s)", spans);
		rc = 1;
	}
	if (rc == 0) {
		netbase_init(&got);
		fprintf(stderr, "round %u: ", k);
		validate_net(&fit->model, nm, &cl.model, &got, stderr, NULL);
		if (got.n == 0)
			log_msg("--tune: round %u measured no call edge (at least 10 calls each side, "
				"awaited): the baseline stays", k);
		netbase_add(base, &got);
		print_round(&got, base, k);
		netbase_free(&got);
	}
	if (cl.reads)
		fit_free(&cl);
	free(spans);
	return rc;
}

/* The baseline reached, as --net-baseline reads it back. */
static int save_base(const struct netbase *base, const char *dir)
{
	char *path;
	FILE *f;
	int rc = 0;

	if (asprintf(&path, "%s/net-baseline.json", dir) < 0)
		abort();
	f = fopen(path, "w");
	if (f != NULL)
		netbase_write(f, base);
	if (f == NULL || fclose(f) != 0) {
		log_msg("--tune: %s: %s", path, strerror(errno));
		rc = 1;
	} else {
		log_msg("--tune: the baseline reached is in %s (--net-baseline %s refits with it)",
			path, path);
	}
	free(path);
	return rc;
}

int import_tune(const struct fit *fit, struct writer_opts *w, struct netbase *base,
		const struct trace_opts *to, unsigned rounds, const char *out, const char *dir)
{
	struct writer_names *nm = writer_names_new(&fit->model);
	char *d;
	int rc = 0;

	if (dir)
		d = xstrdup(dir);
	else if (asprintf(&d, "%s.tune", out) < 0)
		abort();
	w->net_base = base;
	if (mkdir(d, 0777) < 0 && errno != EEXIST) {
		log_msg("--tune-dir %s: %s", d, strerror(errno));
		rc = 1;
	}
	for (unsigned k = 1; k <= rounds && rc == 0; k++) {
		char *yaml, *run;

		if (asprintf(&yaml, "%s/fit-%u.yaml", d, k - 1) < 0 ||
		    asprintf(&run, "%s/run-%u", d, k - 1) < 0)
			abort();
		rc = import_write(&fit->model, &fit->im, w, yaml);
		if (rc == 0)
			rc = round_of(fit, nm, base, to, yaml, run, k);
		free(yaml);
		free(run);
	}
	if (rc == 0)
		rc = save_base(base, d);
	if (rc == 0)
		rc = import_write(&fit->model, &fit->im, w, out);
	writer_names_free(nm);
	free(d);
	return rc;
}
