// SPDX-License-Identifier: GPL-2.0
/*
 * Bench only, never part of nstrace: a synthetic producer that writes
 * struct nst_event records into a recorder's own ring buffer (its map,
 * reused by fd) as the real programs do: reserve, fill, submit with the
 * same wakeup policy (nst_wakeup_flags), and count a full buffer in the recorder's own "lost"
 * map. Run with BPF_PROG_TEST_RUN, a batch per run (bench/rb_producer.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "nstrace.bpf.h"

const volatile __u64 wakeup_bytes = 0; /* the recorder's: see rb_producer.c */
const volatile __u32 batch = 4096;

/* both replaced by the recorder's maps before load */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* a setns event of the loader's, filled in by it; times and latency vary per event */
struct nst_event tmpl = {};
__u64 sent = 0, dropped = 0;

static long emit_one(__u64 i, void *ctx)
{
	struct nst_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u32 zero = 0;
	__u64 *n;

	if (!e) {
		n = bpf_map_lookup_elem(&lost, &zero);
		if (n)
			*n += 1;
		dropped++;
		return 0;
	}
	__builtin_memcpy(e, &tmpl, sizeof(*e));
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->lat_ns = 1200 + (i & 511);
	e->tid = tmpl.tid + (i & 1);
	bpf_ringbuf_submit(e, nst_wakeup_flags(&events, wakeup_bytes));
	sent++;
	return 0;
}

SEC("syscall")
int produce(void *ctx)
{
	bpf_loop(batch, emit_one, NULL, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
