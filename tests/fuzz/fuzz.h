/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What the libFuzzer targets share. */
#ifndef NSTRACE_FUZZ_H
#define NSTRACE_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A broken property is a crash: libFuzzer keeps the input that caused it. */
#define MUST(cond)                                                                        \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "property failed: %s (%s:%d)\n", #cond, __FILE__, \
				__LINE__);                                                \
			abort();                                                          \
		}                                                                         \
	} while (0)

/* The input as a C string of exactly its bytes (stops at an embedded NUL). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* An error message was written: non-empty, terminated, inside the buffer. */
static inline void must_have_message(const char *err, size_t len)
{
	MUST(err[0] != '\0');
	MUST(strnlen(err, len) < len);
}

#endif /* NSTRACE_FUZZ_H */
