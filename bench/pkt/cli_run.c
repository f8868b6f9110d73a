/* bpfvm's side through its CLI: `bpfvm -j run` over the pcap, as a user
 * runs it; its summary's figures parsed from the JSON. */
#include "bench_pkt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number after "key": in a JSON text (our summary is one line with
 * unique keys); false when absent. */
static bool json_num(const char *text, const char *key, double *v)
{
	char pat[64];
	const char *at;
	char *end;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	at = strstr(text, pat);
	if (!at)
		return false;
	*v = strtod(at + strlen(pat), &end);
	return end != at + strlen(pat);
}

static char *read_all(FILE *f)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		n += fread(buf + n, 1, cap - 1 - n, f);
		if (n < cap - 1)
			break;
		char *grown = realloc(buf, cap *= 2);
		if (!grown)
			free(buf);
		buf = grown;
	}
	if (buf)
		buf[n] = 0;
	return buf;
}

struct pkt_result cli_run(const char *bpfvm, const struct pkt_prog *p,
			  const char *pcap, bool jit)
{
	struct pkt_result r = { 0 };
	char cmd[2048];
	double pkts, ns, med;
	char *out;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' -j run '%s/%s:%s' --pcap '%s' %s",
		 bpfvm, BPFVM_EXAMPLES_DIR, p->obj, p->prog, pcap,
		 jit ? "--jit" : "--interp");
	f = popen(cmd, "r");
	if (!f) {
		snprintf(r.why, sizeof(r.why), "cannot run %s", bpfvm);
		return r;
	}
	out = read_all(f);
	st = pclose(f);
	if (out && json_num(out, "packets", &pkts) &&
	    json_num(out, "ns_per_packet", &ns) &&
	    json_num(out, "median_ns", &med)) {
		r.ok = true;
		r.packets = (size_t)pkts;
		r.ns = ns;
		r.median_ns = med;
	} else {
		snprintf(r.why, sizeof(r.why), "bpfvm run (status %d): %.200s",
			 st, out ? out : "no output");
	}
	free(out);
	return r;
}
