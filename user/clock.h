/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The clocks the collector's loops and threads wait on: one home. */
#ifndef NSTRACE_CLOCK_H
#define NSTRACE_CLOCK_H

#include <time.h>

/* Milliseconds on CLOCK_MONOTONIC: for deadlines and rate limits. */
static inline long long nst_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * CLOCK_REALTIME ms from now: the absolute time pthread_cond_timedwait
 * takes (its condition variables use the default clock).
 */
static inline struct timespec nst_realtime_in_ms(long long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

#endif /* NSTRACE_CLOCK_H */
