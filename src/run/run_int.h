/* run_int.h -- what the files of `meshwalk run` share (private to run/):
 * the run's state and the helpers every phase uses.
 *
 * Contract: run.c owns the run (its directory, the signalfd, processes
 * started, reaped and stopped, run_scenario()); nodes.c starts the services
 * (network, node waves, balancers); groups.c starts and waits for the client
 * groups; tlsfiles.c makes a TLS run's certificates and gives the nodes and
 * groups their --ssl-* options; outputs.c writes run.json and the merged
 * summary.json through results/ and prints the terminal report. run_fail()
 * records the first reason the run failed (and logs it); later ones are only
 * logged by their callers, never recorded.
 * Threads: single-threaded, like run_scenario(). */
#ifndef MW_RUN_RUN_INT_H
#define MW_RUN_RUN_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "run/leftovers.h"
#include "run/netlab.h"
#include "run/run.h"
#include "scenario/scenario.h"

#define NODE_START_NS (10 * NSEC_PER_SEC)
#define STOP_GRACE_NS (5 * NSEC_PER_SEC)

struct child {
	pid_t pid;          /* 0: not started or reaped */
	int status;         /* wait status once reaped */
	bool reaped;
};

struct replica {
	char dir[512];
	char host[48];      /* the address it listens on (docs/network.md) */
	int lab_host;       /* its host in the netlab, or -1 */
	char addr[64];      /* host:port once it listens */
	struct child proc;
};

struct group {
	char dir[512];
	char *command;      /* shell-quoted, for commands.txt and run.json */
	struct child proc;
	bool started;
	int exit_code;      /* -1 while running or never started */
};

struct run {
	const struct run_config *cfg;
	const struct scenario *s;
	char dir[320];
	struct replica **replicas;  /* [service][replica] */
	struct group *groups;
	uint64_t seed;      /* client group g: seed + g; node: scenario_node_seed() */
	int sfd;
	FILE *commands;
	const char *failure;        /* first reason the run failed */
	char failure_buf[512];
	bool interrupted;
	bool emulated;              /* the scenario asks for network emulation */
	bool namespaces;            /* nodes run in the netlab's namespaces */
	bool rates_dropped;         /* link rates asked for, but not applicable on loopback */
	bool tls;                   /* TLS services: the run's certificates are made (tlsfiles.c) */
	struct netlab lab;
	struct leftovers state;     /* what a SIGKILL would leave, for --cleanup */
};


/* run.c */
void run_fail(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int mkdirs(const char *path);
char *join_command(char *const *argv);
pid_t spawn(struct run *r, char *const *argv, const char *out_path, const char *err_path,
	    int lab_host);
void wait_events(struct run *r, int64_t ns);
void add_arg(struct scenario_argv *av, char *word);
const char *replica_addr(const struct scenario_service *svc, int i, void *arg);

/* nodes.c */
int setup_network(struct run *r);
int start_nodes(struct run *r);
int start_balancers(struct run *r);
void add_trace_args(struct scenario_argv *av, const char *dir, const char *name, double p);

/* tlsfiles.c */
int make_tls_files(struct run *r);
void add_node_tls_args(struct run *r, size_t k, struct scenario_argv *av);
void add_client_tls_args(struct run *r, size_t g, struct scenario_argv *av);

/* groups.c */
void run_groups(struct run *r, int64_t t0);

/* outputs.c */
void write_run_json(struct run *r, time_t started, time_t ended, int rc);
void write_summary(struct run *r, int rc);

#endif
