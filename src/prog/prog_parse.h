/* prog_parse.h -- the op words of DistWalk's grammar, as text, into a template.
 *
 * Contract: one parser for the op words that `meshwalk client` takes on its
 * command line (-C, -L, -S, -F ... -R, -s) and that a node's installed routes
 * are written in (node --route NAME=PROGRAM, scenario `routes:`), so both read
 * exactly the same language:
 *   -C TIME_SPEC[,ws=SIZE]            COMPUTE (ws=: walking a working set of SIZE)
 *   -L SIZE_SPEC|size=SPEC[,offset=SPEC]          LOAD
 *   -S SIZE_SPEC[,offset=SPEC][,sync|nosync|psync] STORE
 *   -F ADDR[,ADDR...][,nack=N][,timeout=T][,retry=N][,branch][,ps=SIZE][,route=NAME]
 *   -R [[sendfile,]SIZE_SPEC]         REPLY (closes the innermost -F scope)
 *   -s N[,prob=P][,every=M]           SKIP
 *   --sleep TIME_SPEC                 SLEEP (off-CPU wait)
 *   --choice W ... [--choice W ...] --choice-end
 *                                     exactly one alternative, by weight
 * Each op word names the op code it makes (op_words[] in prog_parse.c): a
 * word whose op is a single TIME field (proto/ops.h) needs nothing more.
 * prog_parse_op() applies one op to a builder (the client calls it from its
 * getopt loop, in command-line order). prog_parse_text() reads a whole
 * program from one string of words separated by blanks: each op as -X VALUE,
 * -XVALUE, --long VALUE or --long=VALUE (long names as the client's: comp-time,
 * load-data, store-data, forward, rs, skip), plus --load-offset and
 * --store-offset; a long name may be abbreviated to an unambiguous prefix, as
 * on every command line (--comp 1ms); -R takes the next word only when it does
 * not start with '-'.
 * Any other word is an error.
 * Ownership: prog_parse_text() returns a template the caller destroys.
 * Threads: any thread; no shared state.
 * Errors: -EINVAL with e filled, naming the op, what was given and what was
 * expected; the builder stays usable (the caller aborts it). */
#ifndef MW_PROG_PROG_PARSE_H
#define MW_PROG_PROG_PARSE_H

#include <stdbool.h>

#include "prog/prog.h"
#include "util/err.h"

/* Op words without a short letter (values beyond every option id). */
#define PROG_OP_SLEEP 0x1001
#define PROG_OP_CHOICE 0x1002
#define PROG_OP_CHOICE_END 0x1003

/* One op: opt is 'C', 'L', 'S', 'F', 'R', 's' or a PROG_OP_*; arg is its
 * value (NULL only for a bare -R and for PROG_OP_CHOICE_END). */
int prog_parse_op(struct prog_builder *b, int opt, const char *arg, struct err *e);

/* A whole program from text (see above) into a finished template. An empty
 * text is a ping (a program of a single REPLY). */
int prog_parse_text(const char *text, struct prog **out, struct err *e);
/* Whether text is a valid route prefix: op words that parse as above (no
 * --load-offset or --store-offset, which set the whole program's) and that
 * ops may follow (prog_builder_check_fragment()). 0, or -EINVAL. */
int prog_parse_prefix(const char *text, struct err *e);
/* Whether a command-line word names an op or a program-level option (-C,
 * -C10, --comp-time=1ms, --load-offset, ...): what a request naming a route
 * cannot carry. */
bool prog_op_word(const char *w);

/* The long op word that makes op `code` ("sleep" for OP_SLEEP), or NULL. */
const char *prog_op_word_of(unsigned code);

/* -F's value into o (o->frame_size is then the caller's, NULL on error). */
int prog_parse_forward(const char *arg, struct prog_fwd_opts *o, struct err *e);

#endif
