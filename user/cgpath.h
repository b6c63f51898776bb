/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kept for the callers of nst_cgpath_parse() until they include
 * identity.h, where it now lives with the runtime-aware parsers.
 */
#ifndef NSTRACE_CGPATH_H
#define NSTRACE_CGPATH_H

#include "identity.h"

#endif /* NSTRACE_CGPATH_H */
