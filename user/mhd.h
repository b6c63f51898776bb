/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libmicrohttpd, loaded at run time by `nstrace serve` alone: it pulls in
 * GnuTLS and p11-kit, whose start-up cost every other command about 8 ms of
 * CPU (more than half of what `nstrace ls` needs in all).
 */
#ifndef NSTRACE_MHD_H
#define NSTRACE_MHD_H

#include <stddef.h>
#include <microhttpd.h>

struct nst_mhd {
	typeof(MHD_start_daemon) *start_daemon;
	typeof(MHD_stop_daemon) *stop_daemon;
	typeof(MHD_create_response_from_buffer) *create_response_from_buffer;
	typeof(MHD_add_response_header) *add_response_header;
	typeof(MHD_queue_response) *queue_response;
	typeof(MHD_destroy_response) *destroy_response;
	typeof(MHD_lookup_connection_value) *lookup_connection_value;
};

/* Fill api from the shared library; 0, or -1 with "failed to X: reason" in err. */
int nst_mhd_load(struct nst_mhd *api, char *err, size_t errlen);

#endif /* NSTRACE_MHD_H */
