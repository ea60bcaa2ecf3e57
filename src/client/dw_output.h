/* dw_output.h -- the client output DistWalk users' scripts read.
 *
 * Contract: what dw_client prints, in its formats, with meshwalk's values:
 * the "Configuration:" block (dw_print_config: DistWalk's keys in its order,
 * num_pkts= the count each thread actually sends, the request template in
 * DistWalk's notation), the per-request line "t: N us, elapsed: N us,
 * req_id: N, thr_id: N, sess_id: N" (dw_format_req, also its -o .csv / .txt
 * rows), and "conn_time: N us, req_id: N, thr_id: N, sess_id: N"
 * (dw_format_conn). dw_outfile_parse() reads -o/--output's argument
 * FILE[,sep=C][,header=0|1] (FILE ends in .csv or .txt; header only for .csv;
 * C may be quoted, as DistWalk wants it: sep=';').
 * Ownership: dw_outfile_parse() stores a copy of the path that
 * dw_outfile_free() releases. Threads: the formatters only write the caller's
 * buffer, so any thread may call them. Errors: dw_outfile_parse() returns
 * -EINVAL with one line in *e. */
#ifndef MW_CLIENT_DW_OUTPUT_H
#define MW_CLIENT_DW_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

struct client_config;

enum dw_format {
	DW_FMT_TEXT = 0, /* stdout: "t: 12 us, elapsed: 3 us, ..." */
	DW_FMT_CSV,      /* -o x.csv: "12,3,0,0,0" */
	DW_FMT_TXT,      /* -o x.txt: "t:12,elapsed:3,req_id:0,..." */
};

struct dw_outfile {
	char *path;           /* NULL: no -o */
	enum dw_format format;
	char sep;             /* ',' unless sep= */
	bool header;          /* .csv: a first line naming the columns */
};

int dw_outfile_parse(const char *arg, struct dw_outfile *o, struct err *e);
void dw_outfile_free(struct dw_outfile *o);
/* The header line of a .csv result file (with '\n'), "" when none. */
void dw_outfile_header(const struct dw_outfile *o, bool nano, char *buf, size_t len);

void dw_print_config(FILE *f, const struct client_config *c);

/* One per-request line or row (with '\n'); times in ns, printed in us unless
 * nano. Returns the length, like snprintf. */
int dw_format_req(char *buf, size_t len, enum dw_format fmt, char sep, bool nano, int64_t t_ns,
		  int64_t elapsed_ns, uint64_t req_id, int thr_id, uint64_t sess_id);
int dw_format_conn(char *buf, size_t len, bool nano, int64_t conn_ns, uint64_t req_id, int thr_id,
		   uint64_t sess_id);

#endif
