// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nstrace version (and nstrace --version): what was built, from which
 * commit, with which libbpf, and which tiers this kernel lets the caller
 * attach. A bug report needs all four; the tiers are asked of the kernel by
 * opening the tracer with each one (tracer.c), not guessed from the version.
 */
#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "cmds.h"
#include "json.h"
#include "tracer.h"

#ifndef NSTRACE_COMMIT
#define NSTRACE_COMMIT "unknown"
#endif

/*
 * Linked statically or loaded from libbpf.so (scripts/config.sh decides;
 * nstrace-dynamic of the tests is the other): the object that holds
 * libbpf's code says, whichever binary this is.
 */
static const char *libbpf_linkage(void)
{
	Dl_info bpf, self;

	if (!dladdr((void *)libbpf_major_version, &bpf) || !dladdr((void *)cmd_version, &self))
		return "unknown";
	return bpf.dli_fbase == self.dli_fbase ? "static" : "shared";
}

struct tier_answer {
	enum nst_tier tier;
	int ret; /* 0: allowed, else -errno */
	char why[512];
};

static struct tier_answer answers[] = {
	{ .tier = NST_TIER_FENTRY },
	{ .tier = NST_TIER_TRACEPOINT },
	{ .tier = NST_TIER_KPROBE },
};

#define NANSWERS (sizeof(answers) / sizeof(answers[0]))

static void ask_tiers(void)
{
	for (size_t i = 0; i < NANSWERS; i++)
		answers[i].ret = nst_tracer_try_tier(answers[i].tier, answers[i].why,
						     sizeof(answers[i].why));
}

static void print_text(void)
{
	printf("nstrace %s\n", NSTRACE_VERSION);
	printf("commit %s\n", NSTRACE_COMMIT);
	printf("libbpf %u.%u (%s)\n", libbpf_major_version(), libbpf_minor_version(),
	       libbpf_linkage());
	for (size_t i = 0; i < NANSWERS; i++) {
		const struct tier_answer *a = &answers[i];

		if (!a->ret)
			printf("tier %-10s allowed\n", nst_tier_name(a->tier));
		else
			printf("tier %-10s refused: %s\n", nst_tier_name(a->tier), a->why);
	}
}

static void print_json(void)
{
	struct jw w;
	char libbpf[32];

	snprintf(libbpf, sizeof(libbpf), "%u.%u", libbpf_major_version(), libbpf_minor_version());
	jw_init(&w, stdout);
	jw_obj_open(&w, NULL);
	jw_str(&w, "version", NSTRACE_VERSION);
	jw_str(&w, "commit", NSTRACE_COMMIT);
	jw_str(&w, "libbpf", libbpf);
	jw_str(&w, "libbpf_linkage", libbpf_linkage());
	jw_obj_open(&w, "tiers");
	for (size_t i = 0; i < NANSWERS; i++) {
		const struct tier_answer *a = &answers[i];

		jw_obj_open(&w, nst_tier_name(a->tier));
		jw_bool(&w, "allowed", !a->ret);
		if (a->ret)
			jw_str(&w, "reason", a->why);
		else
			jw_null(&w, "reason");
		jw_obj_close(&w);
	}
	jw_obj_close(&w);
	jw_obj_close(&w);
	fputc('\n', stdout);
}

static const char version_usage[] =
	"Usage: nstrace version [-J]\n"
	"       nstrace --version [-J]\n"
	"Print the version, the commit it was built from, the libbpf version, and\n"
	"which tiers this kernel lets you attach (each is tried: about a second as\n"
	"root; without privileges each says what is missing).\n\n"
	"  -J, --json             one JSON object\n"
	"  -h, --help             this help\n";

int cmd_version(int argc, char **argv)
{
	static const struct option longopts[] = { { "json", no_argument, NULL, 'J' },
						  { "help", no_argument, NULL, 'h' },
						  {} };
	bool json = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "Jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'J':
			json = true;
			nst_set_json_errors(true);
			break;
		case 'h':
			fputs(version_usage, stdout);
			return NST_EXIT_OK;
		default:
			fputs(version_usage, stderr);
			return NST_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		nst_errorf("unexpected argument '%s' (nstrace version takes none)", argv[optind]);
		return NST_EXIT_USAGE;
	}
	ask_tiers();
	if (json)
		print_json();
	else
		print_text();
	return nst_finish_stdout();
}
