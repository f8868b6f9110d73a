// SPDX-License-Identifier: GPL-2.0
/* An XDP firewall: drops packets whose source address falls in a
 * blocklist of IPv4 and IPv6 prefixes (LPM tries user space fills), or
 * in a few built-in IPv4 rules set at load time (.rodata), and frames
 * too broken to parse. Counts every outcome per CPU and reports each
 * dropped packet through a ring buffer. Ethernet, up to two VLAN tags,
 * IPv4 (with options), IPv6 (with extension headers), TCP and UDP. */
#include "parse.h"
#include "xdp_firewall.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct fw_key_v4);
	__type(value, __u32);	/* rule id, reported in events */
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} blocklist_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct fw_key_v6);
	__type(value, __u32);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} blocklist_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct fw_counter);
	__uint(max_entries, FW_STAT_MAX);
} fw_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} fw_events SEC(".maps");

/* Load-time configuration (a skeleton's rodata): the built-in rules,
 * 198.51.100.0/24 (TEST-NET-2) and 203.0.113.128/25 by default, and
 * whether malformed IP frames are dropped. */
const volatile struct fw_rule_v4 default_rules[FW_DEFAULT_RULES] = {
	{ bpf_htonl(0xc6336400), 24 },	/* 198.51.100.0 */
	{ bpf_htonl(0xcb007180), 25 },	/* 203.0.113.128 */
};
const volatile __u32 n_default_rules = 2;
const volatile __u8 drop_malformed = 1;

/* What parsing found: filled as far as the frame allowed. */
struct fw_pkt {
	struct fw_event ev;
	__u32 len;
};

static __always_inline void count(__u32 slot, __u32 len)
{
	struct fw_counter *c = bpf_map_lookup_elem(&fw_stats, &slot);

	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

static __always_inline void report(struct fw_pkt *p, __u8 reason, __u32 rule)
{
	struct fw_event *e;

	e = bpf_ringbuf_reserve(&fw_events, sizeof(*e), 0);
	if (!e)
		return;
	*e = p->ev;
	e->reason = reason;
	e->rule = rule;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline int drop(struct fw_pkt *p, __u32 slot, __u8 reason,
				__u32 rule)
{
	count(slot, p->len);
	report(p, reason, rule);
	return XDP_DROP;
}

/* The index + 1 of the first built-in rule matching src, 0 if none. */
static __always_inline __u32 default_rule_match(__u32 src)
{
	for (__u32 i = 0; i < FW_DEFAULT_RULES; i++) {
		__u32 plen = default_rules[i].prefixlen, mask;
		__be32 addr = default_rules[i].addr;

		if (i >= n_default_rules)
			break;
		mask = plen >= 32 ? ~0u : plen ? ~(~0u >> plen) : 0;
		if (((bpf_ntohl(src) ^ bpf_ntohl(addr)) & mask) == 0)
			return i + 1;
	}
	return 0;
}

/* TCP / UDP ports into the event, when the first fragment has them. */
static __always_inline void read_ports(struct hdr_cursor *nh, void *data_end,
				       int proto, struct fw_pkt *p)
{
	struct tcphdr *tcph;
	struct udphdr *udph;

	if (proto == IPPROTO_TCP && parse_tcphdr(nh, data_end, &tcph) == 0) {
		p->ev.sport = bpf_ntohs(tcph->source);
		p->ev.dport = bpf_ntohs(tcph->dest);
	} else if (proto == IPPROTO_UDP &&
		   parse_udphdr(nh, data_end, &udph) == 0) {
		p->ev.sport = bpf_ntohs(udph->source);
		p->ev.dport = bpf_ntohs(udph->dest);
	}
}

static __always_inline int check_v4(struct hdr_cursor *nh, void *data_end,
				    struct fw_pkt *p)
{
	struct fw_key_v4 key = { .prefixlen = 32 };
	struct iphdr *iph;
	__u32 *rule, n;
	int proto;

	p->ev.family = 4;
	proto = parse_iphdr(nh, data_end, &iph);
	if (proto < 0 || bpf_ntohs(iph->tot_len) < iph->ihl * 4)
		return drop_malformed ?
			drop(p, FW_STAT_DROP_MALFORMED, FW_REASON_MALFORMED, 0) :
			XDP_PASS;
	p->ev.proto = proto;
	__builtin_memcpy(p->ev.src, &iph->saddr, 4);
	__builtin_memcpy(p->ev.dst, &iph->daddr, 4);
	if (!(iph->frag_off & bpf_htons(0x1fff)))
		read_ports(nh, data_end, proto, p);

	__builtin_memcpy(key.addr, &iph->saddr, 4);
	rule = bpf_map_lookup_elem(&blocklist_v4, &key);
	if (rule)
		return drop(p, FW_STAT_DROP_BLOCKED, FW_REASON_BLOCKLIST, *rule);
	n = default_rule_match(iph->saddr);
	if (n)
		return drop(p, FW_STAT_DROP_DEFAULT, FW_REASON_DEFAULT_RULE, n);
	count(FW_STAT_PASS, p->len);
	return XDP_PASS;
}

static __always_inline int check_v6(struct hdr_cursor *nh, void *data_end,
				    struct fw_pkt *p)
{
	struct fw_key_v6 key = { .prefixlen = 128 };
	struct ipv6hdr *ip6h;
	__u32 *rule;
	int proto;

	p->ev.family = 6;
	proto = parse_ip6hdr(nh, data_end, &ip6h);
	if (proto < 0)
		return drop_malformed ?
			drop(p, FW_STAT_DROP_MALFORMED, FW_REASON_MALFORMED, 0) :
			XDP_PASS;
	p->ev.proto = proto;
	__builtin_memcpy(p->ev.src, &ip6h->saddr, 16);
	__builtin_memcpy(p->ev.dst, &ip6h->daddr, 16);
	read_ports(nh, data_end, proto, p);

	__builtin_memcpy(key.addr, &ip6h->saddr, 16);
	rule = bpf_map_lookup_elem(&blocklist_v6, &key);
	if (rule)
		return drop(p, FW_STAT_DROP_BLOCKED, FW_REASON_BLOCKLIST, *rule);
	count(FW_STAT_PASS, p->len);
	return XDP_PASS;
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	struct fw_pkt p = { .len = data_end - data };
	struct ethhdr *eth;
	int h_proto;

	p.ev.pkt_len = p.len;
	h_proto = parse_ethhdr(&nh, data_end, &eth, &p.ev.vlan);
	if (h_proto < 0)
		return drop_malformed ?
			drop(&p, FW_STAT_DROP_MALFORMED, FW_REASON_MALFORMED, 0) :
			XDP_PASS;
	if (h_proto == bpf_htons(ETH_P_IP))
		return check_v4(&nh, data_end, &p);
	if (h_proto == bpf_htons(ETH_P_IPV6))
		return check_v6(&nh, data_end, &p);
	count(FW_STAT_PASS_OTHER, p.len);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
