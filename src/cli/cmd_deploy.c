/* cmd_deploy.c -- `meshwalk deploy k8s|collect|job`: manifests from a
 * scenario, results back from the cluster, and what a client Job runs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "deploy/collect.h"
#include "deploy/job.h"
#include "deploy/k8s.h"
#include "scenario/scenario.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

enum {
	O_IMAGE = 256,
	O_NAMESPACE,
	O_PORT,
	O_ANTI,
	O_PODMAN_HOST,
	O_SET,
	O_CELL,
	O_ENGINE,
	O_LOGS_DIR,
	O_GROUP,
	O_WAIT,
	O_WAIT_TIMEOUT,
	O_DELAY,
};

/* What the parse fills: one config per subcommand. */
struct deploy_args {
	struct k8s_config kc;
	struct collect_config cc;
	struct job_config jc;
	struct opt_list sets, wait; /* --set, --wait */
};

const struct opt_def deploy_opts[] = {
	{ "output", 'o', OPT_REQUIRED, 'o', "DIR",
	  "k8s: the directory to write the manifests into; collect: the results directory to "
	  "write. It must not exist yet.",
	  .kind = OPT_K_STR, OPT_AT(struct deploy_args, kc.out_dir) },
	{ "image", 0, OPT_REQUIRED, O_IMAGE, "IMAGE",
	  "k8s: the meshwalk image every pod runs (default localhost/meshwalk:latest, what make "
	  "image builds; push it where the cluster can pull it and name it here).",
	  .kind = OPT_K_STR, OPT_AT(struct deploy_args, kc.image) },
	{ "namespace", 0, OPT_REQUIRED, O_NAMESPACE, "NS",
	  "k8s: the namespace of every object (default meshwalk-NAME, NAME from the scenario).",
	  .kind = OPT_K_STR, OPT_AT(struct deploy_args, kc.ns) },
	{ "port", 0, OPT_REQUIRED, O_PORT, "N",
	  "k8s: service k (in file order, balancers last) listens on port N + k (default 7891).",
	  .kind = OPT_K_UINT, OPT_AT(struct deploy_args, kc.port), .min = 1, .max = 60000 },
	{ "anti-affinity", 0, OPT_NONE, O_ANTI, NULL,
	  "k8s: prefer to spread the replicas of each service over different hosts "
	  "(podAntiAffinity on kubernetes.io/hostname).",
	  .kind = OPT_K_FLAG, OPT_AT(struct deploy_args, kc.anti_affinity) },
	{ "podman-host", 0, OPT_REQUIRED, O_PODMAN_HOST, "ADDR",
	  "k8s: also write podman/play.yaml for podman kube play on one machine: Jobs as Pods, "
	  "serverless services as Deployments, service names mapped to ADDR, where podman "
	  "publishes the pods' ports (e.g. the podman network's gateway, 10.88.0.1).",
	  .kind = OPT_K_STR, OPT_AT(struct deploy_args, kc.podman_host) },
	{ "set", 0, OPT_REQUIRED, O_SET, "KEY=VALUE",
	  "k8s: override one scenario value, as meshwalk run --set (repeatable); recorded in "
	  "deploy.json.",
	  .kind = OPT_K_LIST, OPT_AT(struct deploy_args, sets) },
	{ "cell", 0, OPT_REQUIRED, O_CELL, "N",
	  "k8s: deploy cell N of the scenario's sweep (0-based, in the order meshwalk run --check "
	  "lists them): the swept group's arguments are that cell's.",
	  .kind = OPT_K_UINT, OPT_AT(struct deploy_args, kc.cell), .min = 0, .max = 100000 },
	{ "engine", 0, OPT_REQUIRED, O_ENGINE, "kubectl|podman",
	  "collect: where the client Jobs' logs come from: kubectl logs (default) or podman "
	  "logs (after podman kube play).",
	  .kind = OPT_K_ENUM, OPT_AT(struct deploy_args, cc.engine), .names = "kubectl|podman", .min = COLLECT_KUBECTL },
	{ "logs-dir", 0, OPT_REQUIRED, O_LOGS_DIR, "DIR",
	  "collect: read each group's log from DIR/GROUP.log instead (saved with kubectl logs).",
	  .kind = OPT_K_STR, OPT_AT(struct deploy_args, cc.logs_dir) },
	{ "group", 0, OPT_REQUIRED, O_GROUP, "NAME", "job: the client group's name.",
	  .kind = OPT_K_STR, OPT_AT(struct deploy_args, jc.group) },
	{ "wait", 0, OPT_REQUIRED, O_WAIT, "ADDR",
	  "job: wait until ADDR accepts a TCP connection before starting the client "
	  "(repeatable: every address must).",
	  .kind = OPT_K_LIST, OPT_AT(struct deploy_args, wait) },
	{ "wait-timeout", 0, OPT_REQUIRED, O_WAIT_TIMEOUT, "DURATION",
	  "job: give up (exit 1) when --wait's address has not answered after DURATION "
	  "(default 300s).",
	  .kind = OPT_K_NS, OPT_AT(struct deploy_args, jc.wait_ns), .min = 1 },
	{ "delay", 0, OPT_REQUIRED, O_DELAY, "DURATION",
	  "job: start the client DURATION after the target answered (the group's delay).",
	  .kind = OPT_K_NS, OPT_AT(struct deploy_args, jc.delay_ns), .min = 0 },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit.",
	  .kind = OPT_K_HELP },
	{ 0 },
};

static const char deploy_usage[] =
	"meshwalk deploy k8s [OPTIONS] SCENARIO -o DIR\n"
	"       meshwalk deploy collect [OPTIONS] DIR -o RESULTS\n"
	"       meshwalk deploy job --group NAME [--wait ADDR] [--delay D] -- CLIENT-ARGS...";
static const char deploy_intro[] =
	"Runs a scenario where users run: Kubernetes, and Knative for serverless services\n"
	"(docs/kubernetes.md). k8s writes the manifests: a namespace, a ConfigMap with the\n"
	"scenario, per service a Deployment and a Service (a Knative Service when the\n"
	"scenario marks it serverless), balancers, and per client group a Job. Nothing is\n"
	"written when the scenario cannot be deployed (the error names its position).\n"
	"collect brings the Jobs' results back into a results directory that meshwalk\n"
	"report reads. job is what a client Job runs: the client, then its results as one\n"
	"bundle on stdout.\n"
	"Exit status: 0 success, 1 a runtime failure (or a client group that failed),\n"
	"2 a usage or scenario error.";

void cmd_deploy_man(FILE *f)
{
	opt_print_man(f, "meshwalk-deploy", "Kubernetes and Knative manifests from a scenario",
		      deploy_usage, deploy_intro, deploy_opts,
		      ".SH FILES\nThe scenario format is described in docs/scenario.md; deploying in "
		      "docs/kubernetes.md; the results directory in docs/results.md.\n.SH SEE ALSO\n"
		      "meshwalk\\-run(1), meshwalk\\-report(1)\n");
}

static int run_job(struct job_config *jc, int nargs, char **args)
{
	char *exe = opt_self_exe();
	int rc;

	if (jc->group == NULL) {
		log_msg("job: --group is required");
		free(exe);
		return 2;
	}
	if (exe == NULL) {
		log_msg("cannot find my own executable: %s", strerror(errno));
		return 1;
	}
	jc->exe = exe;
	jc->args = args;
	jc->nargs = nargs;
	rc = job_run(jc);
	free(exe);
	return rc;
}

/* deploy collect DIR: 0, 1 or 2. */
static int run_collect(struct collect_config *cc, const char *dir)
{
	struct err e;
	int rc;

	cc->deploy_dir = dir;
	rc = collect_run(cc, &e);
	if (rc < 0) {
		log_msg("collect: %s", e.msg);
		return 1;
	}
	return rc;
}

/* deploy k8s SCENARIO: 0, 1 or 2. */
static int run_k8s(struct k8s_config *kc, const char *path, const struct opt_list *sets)
{
	struct scenario s;
	struct err e;
	int rc;

	if (scenario_load(path, sets->v, sets->n, &s, &e) < 0 || k8s_check(kc, &s, &e) < 0) {
		if (e.line)
			log_msg("%s:%d:%d: %s", path, e.line, e.col ? e.col : 1, e.msg);
		else
			log_msg("%s: %s", path, e.msg);
		scenario_free(&s);
		return 2;
	}
	kc->seed = s.has_seed ? s.seed : (uint64_t)clock_now_ns();
	kc->overrides = sets->v;
	kc->noverrides = sets->n;
	rc = k8s_write(kc, &s, &e) < 0 ? 1 : 0;
	if (rc)
		log_msg("k8s: %s", e.msg);
	else
		printf("meshwalk deploy: %s: manifests in %s/manifests%s\n", s.name, kc->out_dir,
		       kc->podman_host ? ", podman kube play file in podman/play.yaml" : "");
	scenario_free(&s);
	return rc;
}

int cmd_deploy(int argc, char **argv)
{
	static const struct opt_cmd cmd = { "deploy", deploy_opts, deploy_usage, deploy_intro,
					    NULL };
	struct deploy_args a = {
		.kc = { .image = "localhost/meshwalk:latest", .port = 7891, .cell = -1 },
		.jc = { .wait_ns = 300 * NSEC_PER_SEC },
	};
	const char *what = argc > 1 ? argv[1] : "";
	int rc;

	log_set_name("meshwalk deploy");
	if (strcmp(what, "--help") == 0 || strcmp(what, "-h") == 0) {
		opt_print_help(stdout, deploy_usage, deploy_intro, deploy_opts);
		return 0;
	}
	if (strcmp(what, "k8s") != 0 && strcmp(what, "collect") != 0 && strcmp(what, "job") != 0) {
		log_msg("expected k8s, collect or job, got '%s' (see meshwalk deploy --help)", what);
		return 2;
	}
	argc--;
	argv++;
	rc = opt_parse(&cmd, argc, argv, &a);
	a.cc.out_dir = a.kc.out_dir;
	a.jc.wait = a.wait.v;
	a.jc.nwait = a.wait.n;
	if (rc == 0 && strcmp(what, "job") == 0)
		rc = run_job(&a.jc, argc - optind, argv + optind);
	else if (rc == 0 && (optind != argc - 1 || a.kc.out_dir == NULL)) {
		log_msg("%s: expected one %s and -o DIR (see meshwalk deploy --help)", what,
			what[0] == 'k' ? "scenario file" : "deploy directory");
		rc = 2;
	} else if (rc == 0 && strcmp(what, "collect") == 0)
		rc = run_collect(&a.cc, argv[optind]);
	else if (rc == 0)
		rc = run_k8s(&a.kc, argv[optind], &a.sets);
	free(a.wait.v);
	free(a.sets.v);
	return rc < 0 ? 0 : rc; /* -1: --help */
}
