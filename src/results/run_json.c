/* run_json.c -- see run_json.h. */
#include "results/run_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "results/files.h"
#include "util/json.h"
#include "util/version.h"

static void host_facts(FILE *f)
{
	struct utsname u;
	char model[256] = "unknown", line[512];
	FILE *ci = fopen("/proc/cpuinfo", "r");

	if (ci) {
		while (fgets(line, sizeof line, ci))
			if (strncmp(line, "model name", 10) == 0) {
				char *c = strchr(line, ':');

				if (c) {
					snprintf(model, sizeof model, "%s", c + 2);
					model[strcspn(model, "\n")] = '\0';
				}
				break;
			}
		fclose(ci);
	}
	uname(&u);
	fprintf(f, "  \"host\": {\"cpu_model\": ");
	json_write_string(f, model);
	fprintf(f, ", \"cpus\": %ld, \"kernel\": ", sysconf(_SC_NPROCESSORS_ONLN));
	json_write_string(f, u.release);
	fprintf(f, ", \"hostname\": ");
	json_write_string(f, u.nodename);
	fprintf(f, "},\n");
}

static void utc(char *buf, size_t len, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A local run's keys from "scenario_file" to "host". */
static void local_head(FILE *f, const struct run_json *r)
{
	char a[32], b[32];

	utc(a, sizeof a, r->started);
	utc(b, sizeof b, r->ended);
	fprintf(f, ",\n  \"scenario_file\": ");
	json_write_string(f, r->scenario_file);
	fprintf(f, ",\n  \"overrides\": [");
	for (size_t i = 0; i < r->noverrides; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_write_string(f, r->overrides[i]);
	}
	fprintf(f, "],\n  \"seed\": %" PRIu64 ",\n  \"started\": \"%s\",\n  \"ended\": \"%s\",\n", r->seed,
		a, b);
	host_facts(f);
}

/* A local run's "network" and "services". */
static void local_tail(FILE *f, const struct run_json *r)
{
	/* Where the nodes ran: "none" (127.0.0.1), "loopback" (an address of
	 * each node's own) or "namespaces" (docs/network.md). */
	fprintf(f, ",\n  \"network\": {\"emulation\": \"%s\", \"rates_applied\": %s", r->emulation,
		r->bridge ? "true" : "false");
	if (r->bridge)
		fprintf(f, ", \"bridge\": \"%s\", \"subnet\": \"10.%d.0.0/16\"", r->bridge, r->subnet);
	fprintf(f, "}");
	fprintf(f, ",\n  \"services\": [");
	for (size_t i = 0; i < r->nservices; i++) {
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_write_string(f, r->services[i].name);
		fprintf(f, ", \"replicas\": [");
		for (size_t k = 0; k < r->services[i].nreplicas; k++)
			fprintf(f, "%s\"%s\"", k ? ", " : "", r->services[i].replicas[k]);
		fprintf(f, "]}");
	}
	fprintf(f, "\n  ]");
}

int run_json_write(const char *dir, const struct run_json *r, struct err *e)
{
	char path[800], stamp[32];
	FILE *f;

	if (results_path(path, sizeof path, dir, RESULTS_RUN_JSON) < 0 ||
	    (f = fopen(path, "w")) == NULL)
		return err_set(e, "cannot write %s: %s", path, strerror(errno)), -1;
	fprintf(f, "{\n  \"meshwalk_run_version\": 1,\n  \"meshwalk_version\": \"%s\",\n  \"scenario\": ",
		MESHWALK_VERSION);
	json_write_string(f, r->scenario);
	if (r->deploy_dir) {
		utc(stamp, sizeof stamp, r->collected);
		fprintf(f, ",\n  \"deployed\": true,\n  \"deploy_dir\": ");
		json_write_string(f, r->deploy_dir);
		fprintf(f, ",\n  \"collected\": \"%s\",\n", stamp);
	} else {
		local_head(f, r);
	}
	fprintf(f, "  \"status\": \"%s\",\n  \"exit_status\": %d,\n  \"failure\": ", r->status,
		r->exit_status);
	if (r->failure)
		json_write_string(f, r->failure);
	else
		fputs("null", f);
	if (!r->deploy_dir)
		local_tail(f, r);
	fprintf(f, ",\n  \"clients\": [");
	for (size_t g = 0; g < r->nclients; g++) {
		fprintf(f, "%s\n    {\"name\": ", g ? "," : "");
		json_write_string(f, r->clients[g].name);
		fprintf(f, ", \"command\": ");
		json_write_string(f, r->clients[g].command ? r->clients[g].command : "");
		fprintf(f, ", \"exit_status\": ");
		if (r->clients[g].ended)
			fprintf(f, "%d}", r->clients[g].exit_status);
		else
			fprintf(f, "null}");
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f) != 0)
		return err_set(e, "cannot write %s: %s", path, strerror(errno)), -1;
	return 0;
}
