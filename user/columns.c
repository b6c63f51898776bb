// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include <strings.h>
#include "columns.h"

/* The column named by the len bytes at name, or -1. */
static int col_find(const struct col_table *t, const char *name, size_t len)
{
	for (int i = 0; i < t->ncols; i++) {
		const char *n = t->name(i);

		if (strlen(n) == len && !strncasecmp(n, name, len))
			return i;
	}
	return -1;
}

int col_parse(const struct col_table *t, struct col_choice *c, const char *list, char *err,
	      size_t errlen)
{
	const char *p = list, *end;

	if (*p == '+')
		p++;
	else
		c->n = 0;
	for (; *p; p = *end ? end + 1 : end) {
		int i;

		end = strchrnul(p, ',');
		i = col_find(t, p, end - p);
		if (i < 0) {
			snprintf(err, errlen, "unknown column: %.*s%s", (int)(end - p), p,
				 t->unknown_hint);
			return -1;
		}
		if (c->n < c->room)
			c->idx[c->n++] = i;
		else if (!t->drop_extra) {
			snprintf(err, errlen, "too many columns (at most %d)", c->room);
			return -1;
		}
	}
	return 0;
}

void col_choose_all(const struct col_table *t, struct col_choice *c)
{
	for (c->n = 0; c->n < t->ncols && c->n < c->room; c->n++)
		c->idx[c->n] = c->n;
}

void col_print_help(const struct col_table *t, FILE *out)
{
	for (int i = 0; i < t->ncols; i++)
		t->help(out, i);
}
