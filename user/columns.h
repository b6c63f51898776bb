/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Column lists as -o takes them, for every column table (trace's in
 * event.c, ls's in ls.c): "PID,COMM" chooses, "+CHANGES" appends to what
 * is chosen, names match without regard to case, and --list-columns
 * prints one line per column.
 */
#ifndef NSTRACE_COLUMNS_H
#define NSTRACE_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct col_table {
	int ncols;
	const char *(*name)(int col); /* the -o name and header */
	void (*help)(FILE *out, int col); /* its --list-columns line */
	const char *unknown_hint; /* after "unknown column: NAME" */
	bool drop_extra; /* more columns than room: drop them (ls), not an error (trace) */
};

/* A chosen list: indices into the table. */
struct col_choice {
	int *idx;
	int n;
	int room;
};

/* Parse a column list into c; on error returns -1 with the message in err. */
int col_parse(const struct col_table *t, struct col_choice *c, const char *list, char *err,
	      size_t errlen);
/* Choose every column (as far as there is room). */
void col_choose_all(const struct col_table *t, struct col_choice *c);
/* --list-columns */
void col_print_help(const struct col_table *t, FILE *out);

#endif /* NSTRACE_COLUMNS_H */
