/* results.c -- see results.h. */
#include "report/results.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "results/files.h"
#include "results/summary_json.h"
#include "util/file.h"
#include "util/xalloc.h"

char *results_read_text(const char *path)
{
	return file_read_all(path, NULL);
}

static char *join(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s/%s", a, b) < 0)
		abort();
	return s;
}

static int is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The last path component, without trailing slashes. */
static char *base_name(const char *path)
{
	size_t end = strlen(path), start;

	while (end > 1 && path[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	return xstrndup(path + start, end - start);
}

static int add_group(struct results *r, const char *name, const char *csv, struct err *e)
{
	struct results_group *g;
	char *dir, *sum, *slash;
	struct summary_json_facts facts;
	int rc;

	r->groups = xrealloc(r->groups, (r->ngroups + 1) * sizeof *r->groups);
	g = &r->groups[r->ngroups];
	memset(g, 0, sizeof *g);
	g->target_rate = g->achieved_rate = NAN;
	rc = records_load(csv, &g->rec, e);
	if (rc < 0) {
		if (e && rc != -EINVAL)
			err_set(e, "%s", strerror(-rc));
		err_prefix(e, "%s", csv);
		return -EINVAL;
	}
	g->name = xstrdup(name);
	g->csv_path = xstrdup(csv);
	r->ngroups++;

	/* The group's own summary sits next to its requests.csv. */
	dir = xstrdup(csv);
	slash = strrchr(dir, '/');
	if (slash)
		slash[1] = '\0';
	else
		dir[0] = '\0';
	if (asprintf(&sum, "%s" RESULTS_SUMMARY_JSON, dir) < 0)
		abort();
	if (strcmp(csv + (slash ? slash + 1 - dir : 0), RESULTS_REQUESTS_CSV) == 0 &&
	    summary_json_read_client(sum, &facts) == 0) {
		g->target_rate = facts.target_rate;
		g->achieved_rate = facts.achieved_rate;
		g->program = facts.program;
	}
	free(sum);
	free(dir);
	return 0;
}

static int has_group(const struct results *r, const char *name)
{
	for (size_t i = 0; i < r->ngroups; i++)
		if (strcmp(r->groups[i].name, name) == 0)
			return 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_run_dir(const char *path, struct results *r, struct err *e)
{
	char *p, *clients = join(path, RESULTS_CLIENTS_DIR);
	const struct jsonin *list;
	struct err je;
	DIR *d;
	int rc = 0;

	p = join(path, RESULTS_RUN_JSON);
	if (is_file(p) && jsonin_load(p, &r->run, &je) < 0) {
		err_set(e, "%s:%d:%d: %s", p, je.line, je.col, je.msg);
		free(p);
		free(clients);
		return -EINVAL;
	}
	free(p);
	p = join(path, RESULTS_SCENARIO);
	r->scenario_yaml = results_read_text(p);
	free(p);
	p = join(path, RESULTS_COMMANDS);
	r->commands = results_read_text(p);
	free(p);

	/* run.json's order first: it is the scenario's order, which is what the
	 * reader of the scenario expects to see. */
	list = jsonin_get(r->run, "clients");
	for (size_t i = 0; rc == 0 && jsonin_at(list, i); i++) {
		const char *name = jsonin_str(jsonin_get(jsonin_at(list, i), "name"));
		char *gd, *csv;

		if (name == NULL || strchr(name, '/') || has_group(r, name))
			continue;
		gd = join(clients, name);
		csv = join(gd, RESULTS_REQUESTS_CSV);
		if (is_file(csv))
			rc = add_group(r, name, csv, e);
		free(csv);
		free(gd);
	}
	d = opendir(clients);
	if (d && rc == 0) {
		struct dirent *de;
		char **names = NULL;
		size_t n = 0;

		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' || has_group(r, de->d_name))
				continue;
			names = xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
		if (n > 1) /* qsort() must not see the NULL of an empty list */
			qsort(names, n, sizeof *names, cmp_str);
		for (size_t i = 0; i < n; i++) {
			char *gd = join(clients, names[i]), *csv = join(gd, RESULTS_REQUESTS_CSV);

			if (rc == 0 && is_file(csv))
				rc = add_group(r, names[i], csv, e);
			free(csv);
			free(gd);
			free(names[i]);
		}
		free(names);
	}
	if (d)
		closedir(d);
	free(clients);
	return rc;
}

int results_load(const char *path, struct results *r, struct err *e)
{
	int rc;

	memset(r, 0, sizeof *r);
	err_clear(e);
	r->path = xstrdup(path);
	r->label = base_name(path);
	if (is_dir(path)) {
		char *csv = join(path, RESULTS_REQUESTS_CSV);
		char *runj = join(path, RESULTS_RUN_JSON), *cl = join(path, RESULTS_CLIENTS_DIR);

		if (is_file(csv)) {
			rc = add_group(r, r->label, csv, e);
		} else {
			r->is_run = is_file(runj) || is_dir(cl);
			rc = r->is_run ? load_run_dir(path, r, e) : 0;
		}
		free(csv);
		free(runj);
		free(cl);
	} else if (is_file(path)) {
		/* clients/NAME/requests.csv is group NAME; any other CSV is named
		 * after its file. */
		char *name = r->label, *dot;

		if (strcmp(name, RESULTS_REQUESTS_CSV) == 0 && strchr(path, '/')) {
			char *dir = xstrdup(path);

			*strrchr(dir, '/') = '\0';
			name = base_name(dir);
			free(dir);
		}
		if (name != r->label && (name[0] == '\0' || strcmp(name, ".") == 0)) {
			free(name);
			name = r->label;
		}
		if (name == r->label) {
			name = xstrdup(name);
			dot = strrchr(name, '.');
			if (dot && dot != name)
				*dot = '\0';
		}
		free(r->label);
		r->label = name;
		r->is_csv = 1;
		rc = add_group(r, name, path, e);
	} else {
		struct stat st;

		return err_set(e, "%s: %s", path,
			       stat(path, &st) == -1 ? strerror(errno) : "not a file or directory");
	}
	if (rc == 0 && r->ngroups == 0)
		rc = err_set(e, "%s: no client records (expected " RESULTS_CLIENTS_DIR "/NAME/"
			     RESULTS_REQUESTS_CSV " or a requests CSV)", path);
	return rc;
}

void results_free(struct results *r)
{
	for (size_t i = 0; i < r->ngroups; i++) {
		free(r->groups[i].name);
		free(r->groups[i].csv_path);
		free(r->groups[i].program);
		records_free(&r->groups[i].rec);
	}
	free(r->groups);
	jsonin_free(r->run);
	free(r->scenario_yaml);
	free(r->commands);
	free(r->path);
	free(r->label);
	memset(r, 0, sizeof *r);
}

void results_trim(struct results *r, double warmup_us)
{
	for (size_t i = 0; i < r->ngroups; i++)
		records_trim(&r->groups[i].rec, warmup_us);
}
