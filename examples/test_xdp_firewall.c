/* examples/xdp_firewall.bpf.c through bpfvm, on both engines: sources in
 * the blocklist maps (IPv4 and IPv6 prefixes, filled from user space) and
 * in the built-in .rodata rules are dropped, malformed frames too, the
 * rest passes unchanged; the per-CPU counters count each outcome with its
 * bytes; every drop leaves a ring buffer event with the packet's
 * addresses, ports, protocol, VLAN, reason and rule. Built-in rules
 * set before load (.rodata) replace the defaults. */
#include <linux/bpf.h>
#include <stdlib.h>

#include "check.h"
#include "ex_util.h"
#include "xdp_firewall.h"

#define MAX_EVENTS 64

static struct fw_event events[MAX_EVENTS];
static int n_events;

static int on_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	CHECK_EQ_U64(size, sizeof(struct fw_event));
	if (n_events < MAX_EVENTS && size == sizeof(struct fw_event))
		memcpy(&events[n_events], data, size);
	n_events++;
	return 0;
}

static void fill_blocklists(struct bpfvm_object *obj)
{
	struct fw_key_v4 k4 = { .prefixlen = 16, .addr = { 10, 9, 0, 0 } };
	struct fw_key_v6 k6 = { .prefixlen = 120 };
	uint32_t rule = 7;

	CHECK(bpfvm_map_update(ex_map(obj, "blocklist_v4"), &k4, &rule, 0) ==
	      0);
	pkt_ip6(k6.addr, 0x500);	/* 2001:db8::500/120 */
	rule = 9;
	CHECK(bpfvm_map_update(ex_map(obj, "blocklist_v6"), &k6, &rule, 0) ==
	      0);
}

struct fw_case {
	const char *what;
	struct pkt_spec spec;
	int verdict;
	enum fw_stat stat;
	uint8_t reason;		/* 0: no event */
	uint32_t rule;
};

static struct fw_case v4(const char *what, uint8_t a, uint8_t b, uint8_t c,
			 uint8_t d, int verdict, enum fw_stat stat,
			 uint8_t reason, uint32_t rule)
{
	struct fw_case fc = { .what = what, .verdict = verdict, .stat = stat,
			      .reason = reason, .rule = rule };

	fc.spec = ex_spec(4, 6, 1234, 80);
	pkt_ip4(fc.spec.src_ip, a, b, c, d);
	pkt_ip4(fc.spec.dst_ip, 10, 0, 0, 2);
	return fc;
}

static size_t make_cases(struct fw_case *c)
{
	size_t n = 0;

	c[n++] = v4("allowed", 10, 8, 0, 1, XDP_PASS, FW_STAT_PASS, 0, 0);
	c[n++] = v4("blocklist /16", 10, 9, 200, 3, XDP_DROP,
		    FW_STAT_DROP_BLOCKED, FW_REASON_BLOCKLIST, 7);
	c[n++] = v4("built-in rule 1", 198, 51, 100, 77, XDP_DROP,
		    FW_STAT_DROP_DEFAULT, FW_REASON_DEFAULT_RULE, 1);
	c[n++] = v4("built-in rule 2", 203, 0, 113, 200, XDP_DROP,
		    FW_STAT_DROP_DEFAULT, FW_REASON_DEFAULT_RULE, 2);
	c[n++] = v4("outside rule 2's /25", 203, 0, 113, 100, XDP_PASS,
		    FW_STAT_PASS, 0, 0);
	c[n] = v4("vlan-tagged blocked udp", 10, 9, 0, 1, XDP_DROP,
		  FW_STAT_DROP_BLOCKED, FW_REASON_BLOCKLIST, 7);
	c[n].spec.vlan = 42;
	c[n].spec.proto = 17;
	c[n++].spec.dport = 53;
	c[n] = v4("ihl 3", 10, 8, 0, 1, XDP_DROP, FW_STAT_DROP_MALFORMED,
		  FW_REASON_MALFORMED, 0);
	c[n++].spec.ihl = 3;
	c[n] = v4("ip header cut", 10, 8, 0, 1, XDP_DROP,
		  FW_STAT_DROP_MALFORMED, FW_REASON_MALFORMED, 0);
	c[n++].spec.truncate = 30;
	c[n] = v4("arp", 0, 0, 0, 0, XDP_PASS, FW_STAT_PASS_OTHER, 0, 0);
	c[n].spec.ip_version = 0;
	c[n++].spec.ethertype = 0x0806;
	c[n] = v4("ipv6 blocked", 0, 0, 0, 0, XDP_DROP, FW_STAT_DROP_BLOCKED,
		  FW_REASON_BLOCKLIST, 9);
	c[n].spec.ip_version = 6;
	pkt_ip6(c[n].spec.src_ip, 0x5ab);
	pkt_ip6(c[n++].spec.dst_ip, 2);
	c[n] = v4("ipv6 allowed", 0, 0, 0, 0, XDP_PASS, FW_STAT_PASS, 0, 0);
	c[n].spec.ip_version = 6;
	pkt_ip6(c[n].spec.src_ip, 0x600);
	pkt_ip6(c[n++].spec.dst_ip, 2);
	return n;
}

static void check_event(const struct fw_event *e, const struct fw_case *c,
			size_t len)
{
	int v6 = c->spec.ip_version == 6;
	size_t alen = v6 ? 16 : 4;

	CHECK_EQ_U64(e->reason, c->reason);
	CHECK_EQ_U64(e->rule, c->rule);
	CHECK_EQ_U64(e->pkt_len, len);
	CHECK_EQ_U64(e->vlan, c->spec.vlan);
	CHECK_EQ_U64(e->family, c->spec.ip_version);
	if (c->reason == FW_REASON_MALFORMED)
		return;
	CHECK_EQ_U64(e->proto, c->spec.proto);
	CHECK(memcmp(e->src, c->spec.src_ip, alen) == 0);
	CHECK(memcmp(e->dst, c->spec.dst_ip, alen) == 0);
	CHECK_EQ_U64(e->sport, c->spec.sport);
	CHECK_EQ_U64(e->dport, c->spec.dport);
}

static void run_cases(int eng)
{
	struct bpfvm_object *obj = ex_open_load("xdp_firewall");
	struct fw_case cases[16];
	uint64_t want_pkts[FW_STAT_MAX] = { 0 }, want_bytes[FW_STAT_MAX] = { 0 };
	struct bpfvm_ringbuf *rb = NULL;
	size_t n = make_cases(cases);
	struct bpfvm_prog *prog;
	struct bpfvm_map *stats;

	CHECK(obj != NULL);
	if (!obj)
		return;
	prog = ex_prog(obj, "xdp_firewall");
	stats = ex_map(obj, "fw_stats");
	CHECK(prog && stats);
	fill_blocklists(obj);
	CHECK(bpfvm_ringbuf_new(ex_map(obj, "fw_events"), on_event, NULL, NULL,
				&rb) == 0);
	for (size_t i = 0; prog && stats && rb && i < n; i++) {
		uint8_t in[EX_FRAME_MAX], out[EX_FRAME_MAX];
		size_t len = ex_frame(&cases[i].spec, in), out_len = 0;
		int64_t r;

		n_events = 0;
		r = ex_run(prog, ex_engines[eng], in, len, out, &out_len, NULL,
			   0);
		if (r != cases[i].verdict)
			fprintf(stderr, "%s: %s: verdict %lld\n",
				ex_engine_names[eng], cases[i].what,
				(long long)r);
		CHECK_EQ_U64(r, cases[i].verdict);
		CHECK(out_len == len && memcmp(in, out, len) == 0);
		want_pkts[cases[i].stat]++;
		want_bytes[cases[i].stat] += len;
		CHECK(bpfvm_ringbuf_consume(rb) >= 0);
		CHECK_EQ_U64(n_events, cases[i].reason ? 1 : 0);
		if (n_events == 1 && cases[i].reason)
			check_event(&events[0], &cases[i], len);
	}
	for (uint32_t s = 0; stats && s < FW_STAT_MAX; s++) {
		CHECK_EQ_U64(ex_percpu_u64(stats, s, 0), want_pkts[s]);
		CHECK_EQ_U64(ex_percpu_u64(stats, s, 8), want_bytes[s]);
	}
	bpfvm_ringbuf_free(rb);
	bpfvm_object_close(obj);
}

/* The built-in rules set before load (.rodata): one rule,
 * 192.0.2.0/24; 198.51.100.77 then passes and 192.0.2.5 is dropped. */
static void rules_set(int eng)
{
	struct bpfvm_object *obj = ex_open("xdp_firewall");
	struct fw_case pass = v4("198.51.100.77 with other rules", 198, 51,
				 100, 77, XDP_PASS, FW_STAT_PASS, 0, 0);
	struct fw_case drop = v4("192.0.2.5", 192, 0, 2, 5, XDP_DROP,
				 FW_STAT_DROP_DEFAULT, 0, 0);
	uint8_t in[EX_FRAME_MAX], out[EX_FRAME_MAX];
	struct fw_rule_v4 *rules;
	struct bpfvm_prog *p;
	size_t sz = 0, len;
	uint32_t *nrules;

	CHECK(obj != NULL);
	if (!obj)
		return;
	nrules = bpfvm_object_global(obj, "n_default_rules", &sz);
	CHECK(nrules && sz == 4);
	rules = bpfvm_object_global(obj, "default_rules", &sz);
	CHECK(rules && sz == FW_DEFAULT_RULES * sizeof(*rules));
	if (nrules && rules) {
		*nrules = 1;
		memcpy(&rules[0].addr, "\xc0\x00\x02\x00", 4);
		rules[0].prefixlen = 24;
	}
	CHECK(ex_load(obj, NULL) == 0);
	p = ex_prog(obj, "xdp_firewall");
	len = ex_frame(&pass.spec, in);
	CHECK_EQ_U64(ex_run(p, ex_engines[eng], in, len, out, NULL, NULL, 0),
		     XDP_PASS);
	len = ex_frame(&drop.spec, in);
	CHECK_EQ_U64(ex_run(p, ex_engines[eng], in, len, out, NULL, NULL, 0),
		     XDP_DROP);
	CHECK_EQ_U64(ex_percpu_u64(ex_map(obj, "fw_stats"),
				   FW_STAT_DROP_DEFAULT, 0), 1);
	bpfvm_object_close(obj);
}

int main(void)
{
	for (int eng = 0; eng < 2; eng++) {
		run_cases(eng);
		rules_set(eng);
	}
	return check_report();
}
