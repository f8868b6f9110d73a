/* A host program embedding bpfvm around the XDP firewall, as its user
 * space loader would around the kernel: load the object, fill the
 * blocklists from the command line, run every packet of a capture
 * through the program, read the dropped-packet events from the ring
 * buffer as they come, and print the counters.
 *
 *     xdp_firewall_host xdp_firewall.o capture.pcap [PREFIX ...]
 *
 * PREFIX is an IPv4 or IPv6 prefix ("10.0.3.0/24", "2001:db8::/32"; no
 * length: the single address); each gets rule id = its position (1..).
 * Exits 1 when the events disagree with the drop counters. */
#include <arpa/inet.h>
#include <errno.h>
/* pcap's classic-BPF header would redefine <linux/bpf.h>'s bpf_insn */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpfvm/bpfvm.h>

#include "xdp_firewall.h"

#define EVENTS_SHOWN 8

struct host {
	struct bpfvm_object *obj;
	struct bpfvm_prog *prog;
	struct bpfvm_ringbuf *rb;
	uint64_t events[FW_REASON_MALFORMED + 1];
	uint64_t verdicts[5], errors;
};

static const char *const reasons[] = { "?", "blocklist", "built-in rule",
				       "malformed" };

static int on_event(void *ctx, void *data, size_t size)
{
	struct host *h = ctx;
	const struct fw_event *e = data;
	char src[INET6_ADDRSTRLEN] = "-", dst[INET6_ADDRSTRLEN] = "-";
	uint64_t n;

	if (size < sizeof(*e) || e->reason > FW_REASON_MALFORMED)
		return -EINVAL;
	n = h->events[1] + h->events[2] + h->events[3];
	h->events[e->reason]++;
	if (n >= EVENTS_SHOWN)
		return 0;
	if (e->reason == FW_REASON_MALFORMED) {
		printf("  drop: malformed %s frame, %u bytes\n",
		       e->family == 4 ? "IPv4" : e->family == 6 ? "IPv6"
							      : "Ethernet",
		       e->pkt_len);
		return 0;
	}
	if (e->family == 4 || e->family == 6) {
		int af = e->family == 4 ? AF_INET : AF_INET6;

		inet_ntop(af, e->src, src, sizeof(src));
		inet_ntop(af, e->dst, dst, sizeof(dst));
	}
	printf("  drop: %s port %u -> %s port %u, proto %u, vlan %u, "
	       "%u bytes: %s %u\n", src, e->sport, dst, e->dport, e->proto,
	       e->vlan, e->pkt_len, reasons[e->reason], e->rule);
	return 0;
}

/* "a.b.c.d/len" or "x:y::z/len" into the matching blocklist. */
static int block(struct host *h, const char *arg, uint32_t rule)
{
	char addr[INET6_ADDRSTRLEN + 8];
	struct fw_key_v6 k6 = { 0 };
	struct fw_key_v4 k4 = { 0 };
	char *slash;
	int v6 = strchr(arg, ':') != NULL;
	long len = v6 ? 128 : 32;

	snprintf(addr, sizeof(addr), "%s", arg);
	slash = strchr(addr, '/');
	if (slash) {
		*slash = '\0';
		len = strtol(slash + 1, NULL, 10);
	}
	if (len < 0 || len > (v6 ? 128 : 32) ||
	    inet_pton(v6 ? AF_INET6 : AF_INET, addr, v6 ? k6.addr : k4.addr) !=
		    1) {
		fprintf(stderr, "bad prefix '%s'\n", arg);
		return -EINVAL;
	}
	k4.prefixlen = k6.prefixlen = (uint32_t)len;
	if (v6)
		return bpfvm_map_update(bpfvm_obj_map_map(bpfvm_object_find_map(
						h->obj, "blocklist_v6")),
					&k6, &rule, 0);
	return bpfvm_map_update(bpfvm_obj_map_map(bpfvm_object_find_map(
					h->obj, "blocklist_v4")),
				&k4, &rule, 0);
}

static int setup(struct host *h, const char *path)
{
	static char log[4096];
	struct bpfvm_object_load_opts lo = { .sz = sizeof(lo), .log_buf = log,
					     .log_size = sizeof(log) };
	struct bpfvm_obj_map *events;
	int err = bpfvm_object_open_file(path, NULL, &h->obj);

	if (!err)
		err = bpfvm_object_load(h->obj, &lo);
	if (err) {
		fprintf(stderr, "%s: %s %s\n", path, strerror(-err), log);
		return err;
	}
	h->prog = bpfvm_obj_prog_prog(bpfvm_object_find_prog(h->obj,
							     "xdp_firewall"));
	events = bpfvm_object_find_map(h->obj, "fw_events");
	if (!h->prog || !events)
		return -ENOENT;
	return bpfvm_ringbuf_new(bpfvm_obj_map_map(events), on_event, h, NULL,
				 &h->rb);
}

static int run_capture(struct host *h, const char *path, double *secs)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, errbuf);
	struct pcap_pkthdr *hdr;
	const u_char *data;
	struct timespec t0, t1;
	struct bpfvm_jit_info ji = { .sz = sizeof(ji) };
	uint64_t n = 0;

	if (!pc) {
		fprintf(stderr, "%s: %s\n", path, errbuf);
		return -EINVAL;
	}
	bpfvm_prog_jit_info(h->prog, 0, &ji);	/* compile before the clock */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (pcap_next_ex(pc, &hdr, &data) == 1) {
		struct bpfvm_test_run_opts o = {
			.sz = sizeof(o), .data_in = data,
			.data_size_in = hdr->caplen,
			.engine = BPFVM_ENGINE_JIT,
		};

		if (bpfvm_prog_test_run(h->prog, &o))
			h->errors++;	/* e.g. a runt the kernel refuses */
		else
			h->verdicts[o.retval < 4 ? o.retval : 4]++;
		if (++n % 1024 == 0)	/* keep the ring from filling */
			bpfvm_ringbuf_consume(h->rb);
	}
	bpfvm_ringbuf_consume(h->rb);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*secs = (double)(t1.tv_sec - t0.tv_sec) +
		(double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	pcap_close(pc);
	return 0;
}

static uint64_t counter(struct host *h, uint32_t slot)
{
	struct bpfvm_map *m =
		bpfvm_obj_map_map(bpfvm_object_find_map(h->obj, "fw_stats"));
	size_t n = bpfvm_map_user_value_size(m) / sizeof(struct fw_counter);
	struct fw_counter *c = calloc(n, sizeof(*c));
	uint64_t sum = 0;

	if (c && bpfvm_map_lookup(m, &slot, c, 0) == 0)
		for (size_t i = 0; i < n; i++)
			sum += c[i].packets;
	free(c);
	return sum;
}

int main(int argc, char **argv)
{
	static const char *const stats[FW_STAT_MAX] = {
		"pass", "pass (not IP)", "drop: blocklist",
		"drop: built-in rule", "drop: malformed" };
	struct host h = { 0 };
	double secs = 0;
	int bad = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s OBJ PCAP [PREFIX ...]\n", argv[0]);
		return 2;
	}
	if (setup(&h, argv[1]))
		return 1;
	for (int i = 3; i < argc; i++)
		if (block(&h, argv[i], (uint32_t)(i - 2)))
			return 1;
	printf("blocklist: %d prefixes; first dropped packets:\n", argc - 3);
	if (run_capture(&h, argv[2], &secs))
		return 1;
	printf("verdicts: drop %llu, pass %llu, refused %llu (%.0f ns per "
	       "packet, events included)\n",
	       (unsigned long long)h.verdicts[1],
	       (unsigned long long)h.verdicts[2], (unsigned long long)h.errors,
	       secs * 1e9 / (double)(h.verdicts[1] + h.verdicts[2] + h.errors));
	for (uint32_t s = 0; s < FW_STAT_MAX; s++)
		printf("  %-20s %llu\n", stats[s],
		       (unsigned long long)counter(&h, s));
	for (int r = FW_REASON_BLOCKLIST; r <= FW_REASON_MALFORMED; r++) {
		uint64_t want = counter(&h, r == FW_REASON_BLOCKLIST
						    ? FW_STAT_DROP_BLOCKED
					    : r == FW_REASON_DEFAULT_RULE
						    ? FW_STAT_DROP_DEFAULT
						    : FW_STAT_DROP_MALFORMED);

		printf("  events: %-13s %llu\n", reasons[r],
		       (unsigned long long)h.events[r]);
		bad |= h.events[r] != want;
	}
	bpfvm_ringbuf_free(h.rb);
	bpfvm_object_close(h.obj);
	if (bad)
		fprintf(stderr, "events and drop counters disagree\n");
	return bad;
}
