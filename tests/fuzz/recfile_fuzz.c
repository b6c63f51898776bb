// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: the recording reader, and the JSON rendering of every
 * event and identity entry it hands out, on arbitrary bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include "event.h"
#include "recfile.h"

static FILE *sink;

static int on_meta(void *ctx, const struct nst_rec_meta *m)
{
	return 0;
}

static int on_event(void *ctx, const struct nst_event *e)
{
	struct nst_fmt f = { 0 };
	struct nst_colset cols;
	char buf[1024];

	nst_colset_all_json(&cols, false);
	nst_print_json(sink, &cols, e, &f);
	nst_event_detail(e, &f, buf, sizeof(buf));
	return 0;
}

static int on_lost(void *ctx, __u64 ts, __u64 total)
{
	return 0;
}

/* An identity entry as report shows it: the JSON of its container and pod. */
static int on_identity(void *ctx, const struct nst_id_entry *e)
{
	struct jw w;

	jw_init(&w, sink);
	jw_obj_open(&w, NULL);
	nst_json_ctr(&w, "container", e->container ? &e->info : NULL);
	nst_json_pod(&w, "pod", e->container ? &e->info : NULL);
	jw_obj_close(&w);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nst_rec_reader_ops ops = {
		.meta = on_meta, .event = on_event, .lost = on_lost, .identity = on_identity
	};
	struct nst_rec_status st;
	char err[256];

	if (!sink)
		sink = fopen("/dev/null", "w");
	nst_rec_read_mem(data, size, &ops, NULL, &st, err, sizeof(err));
	return 0;
}
