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

const struct opt_def deploy_opts[] = {
	{ "output", 'o', OPT_REQUIRED, 'o', "DIR",
	  "k8s: the directory to write the manifests into; collect: the results directory to "
	  "write. It must not exist yet." },
	{ "image", 0, OPT_REQUIRED, O_IMAGE, "IMAGE",
	  "k8s: the meshwalk image every pod runs (default localhost/meshwalk:latest, what make "
	  "image builds; push it where the cluster can pull it and name it here)." },
	{ "namespace", 0, OPT_REQUIRED, O_NAMESPACE, "NS",
	  "k8s: the namespace of every object (default meshwalk-NAME, NAME from the scenario)." },
	{ "port", 0, OPT_REQUIRED, O_PORT, "N",
	  "k8s: service k (in file order, balancers last) listens on port N + k (default 7891)." },
	{ "anti-affinity", 0, OPT_NONE, O_ANTI, NULL,
	  "k8s: prefer to spread the replicas of each service over different hosts "
	  "(podAntiAffinity on kubernetes.io/hostname)." },
	{ "podman-host", 0, OPT_REQUIRED, O_PODMAN_HOST, "ADDR",
	  "k8s: also write podman/play.yaml for podman kube play on one machine: Jobs as Pods, "
	  "serverless services as Deployments, service names mapped to ADDR, where podman "
	  "publishes the pods' ports (e.g. the podman network's gateway, 10.88.0.1)." },
	{ "set", 0, OPT_REQUIRED, O_SET, "KEY=VALUE",
	  "k8s: override one scenario value, as meshwalk run --set (repeatable); recorded in "
	  "deploy.json." },
	{ "cell", 0, OPT_REQUIRED, O_CELL, "N",
	  "k8s: deploy cell N of the scenario's sweep (0-based, in the order meshwalk run --check "
	  "lists them): the swept group's arguments are that cell's." },
	{ "engine", 0, OPT_REQUIRED, O_ENGINE, "kubectl|podman",
	  "collect: where the client Jobs' logs come from: kubectl logs (default) or podman "
	  "logs (after podman kube play)." },
	{ "logs-dir", 0, OPT_REQUIRED, O_LOGS_DIR, "DIR",
	  "collect: read each group's log from DIR/GROUP.log instead (saved with kubectl logs)." },
	{ "group", 0, OPT_REQUIRED, O_GROUP, "NAME", "job: the client group's name." },
	{ "wait", 0, OPT_REQUIRED, O_WAIT, "ADDR",
	  "job: wait until ADDR accepts a TCP connection before starting the client "
	  "(repeatable: every address must)." },
	{ "wait-timeout", 0, OPT_REQUIRED, O_WAIT_TIMEOUT, "DURATION",
	  "job: give up (exit 1) when --wait's address has not answered after DURATION "
	  "(default 300s)." },
	{ "delay", 0, OPT_REQUIRED, O_DELAY, "DURATION",
	  "job: start the client DURATION after the target answered (the group's delay)." },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit." },
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

int cmd_deploy(int argc, char **argv)
{
	struct k8s_config kc = { .image = "localhost/meshwalk:latest", .port = 7891, .cell = -1 };
	struct collect_config cc = { 0 };
	struct job_config jc = { .wait_ns = 300 * NSEC_PER_SEC };
	const char *what = argc > 1 ? argv[1] : "";
	struct opt_parser p;
	struct err e;
	char **sets = NULL;
	size_t nsets = 0;
	int opt, rc = 0;

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
	opt_build(deploy_opts, &p);
	optind = 1;
	opterr = 0;
	while (rc == 0 && (opt = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			kc.out_dir = cc.out_dir = optarg;
			break;
		case O_IMAGE:
			kc.image = optarg;
			break;
		case O_NAMESPACE:
			kc.ns = optarg;
			break;
		case O_PORT: {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (end == optarg || *end || v < 1 || v > 60000) {
				log_msg("--port: expected a port from 1 to 60000, got '%s'", optarg);
				rc = 2;
			}
			kc.port = (int)v;
			break;
		}
		case O_ANTI:
			kc.anti_affinity = true;
			break;
		case O_PODMAN_HOST:
			kc.podman_host = optarg;
			break;
		case O_SET:
			sets = xrealloc(sets, (nsets + 1) * sizeof *sets);
			sets[nsets++] = optarg;
			break;
		case O_CELL: {
			char *end;

			kc.cell = strtol(optarg, &end, 10);
			if (end == optarg || *end || kc.cell < 0 || kc.cell > 100000) {
				log_msg("--cell: expected a cell number from 0, got '%s'", optarg);
				rc = 2;
			}
			break;
		}
		case O_ENGINE:
			if (strcmp(optarg, "kubectl") == 0) {
				cc.engine = COLLECT_KUBECTL;
			} else if (strcmp(optarg, "podman") == 0) {
				cc.engine = COLLECT_PODMAN;
			} else {
				log_msg("--engine: expected kubectl or podman, got '%s'", optarg);
				rc = 2;
			}
			break;
		case O_LOGS_DIR:
			cc.logs_dir = optarg;
			break;
		case O_GROUP:
			jc.group = optarg;
			break;
		case O_WAIT:
			jc.wait = xrealloc(jc.wait, (jc.nwait + 1) * sizeof *jc.wait);
			jc.wait[jc.nwait++] = optarg;
			break;
		case O_WAIT_TIMEOUT:
			if (opt_duration("--wait-timeout", optarg, false, &jc.wait_ns) < 0)
				rc = 2;
			break;
		case O_DELAY:
			if (opt_duration("--delay", optarg, true, &jc.delay_ns) < 0)
				rc = 2;
			break;
		case 'h':
			opt_print_help(stdout, deploy_usage, deploy_intro, deploy_opts);
			opt_free(&p);
			free(sets);
			return 0;
		case ':':
			log_msg("option %s needs a value", argv[optind - 1]);
			rc = 2;
			break;
		default:
			log_msg("unknown option '%s' (see meshwalk deploy --help)", argv[optind - 1]);
			rc = 2;
			break;
		}
	}
	opt_free(&p);
	if (rc == 0 && strcmp(what, "job") == 0)
		rc = run_job(&jc, argc - optind, argv + optind);
	else if (rc == 0)
		rc = -1;
	free(jc.wait);
	if (rc >= 0) {
		free(sets);
		return rc;
	}
	rc = 0;
	if (optind != argc - 1 || kc.out_dir == NULL) {
		log_msg("%s: expected one %s and -o DIR (see meshwalk deploy --help)", what,
			what[0] == 'k' ? "scenario file" : "deploy directory");
		free(sets);
		return 2;
	}
	if (strcmp(what, "collect") == 0) {
		cc.deploy_dir = argv[optind];
		rc = collect_run(&cc, &e);
		free(sets);
		if (rc < 0) {
			log_msg("collect: %s", e.msg);
			return 1;
		}
		return rc;
	}
	struct scenario s;

	if (scenario_load(argv[optind], sets, nsets, &s, &e) < 0 ||
	    k8s_check(&kc, &s, &e) < 0) {
		if (e.line)
			log_msg("%s:%d:%d: %s", argv[optind], e.line, e.col ? e.col : 1, e.msg);
		else
			log_msg("%s: %s", argv[optind], e.msg);
		scenario_free(&s);
		free(sets);
		return 2;
	}
	kc.seed = s.has_seed ? s.seed : (uint64_t)clock_now_ns();
	kc.overrides = sets;
	kc.noverrides = nsets;
	rc = k8s_write(&kc, &s, &e) < 0 ? 1 : 0;
	if (rc)
		log_msg("k8s: %s", e.msg);
	else
		printf("meshwalk deploy: %s: manifests in %s/manifests%s\n", s.name, kc.out_dir,
		       kc.podman_host ? ", podman kube play file in podman/play.yaml" : "");
	scenario_free(&s);
	free(sets);
	return rc;
}
