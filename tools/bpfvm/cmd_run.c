/* bpfvm run OBJ[:PROG] --pcap IN [--out DIR] [--jit|--interp] [--checked]
 *   [--per-packet] [--ifindex N] [--map-entries N]
 * Run a packet program (XDP, socket filter, tc) on every packet of a
 * capture, as the kernel's BPF_PROG_TEST_RUN would one by one; write the
 * packets that go out per verdict; print counts, speed, latency and the
 * program's maps. The capture is read into memory first; the timing
 * covers the test_run calls only (not reading, printing or writing). */
#include "cli.h"
#include "cli_json.h"
#include "map_print.h"
#include "map_update.h"
#include "pcap_in.h"
#include "pcap_out.h"
#include "run_prog.h"
#include "run_stats.h"
#include "run_verdict.h"

#include <bpfvm/object.h>
#include <bpfvm/test_run.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's, as bpfvm_prog_test_run returns it */
#endif

/* Output frames: XDP's fit a page; tc's may grow (skb_change_tail). */
#define OUT_CAP (256u * 1024)
#define MAP_ENTRIES_DEFAULT 32

struct run_args {
	const char *spec, *pcap, *out;
	enum bpfvm_engine engine;
	uint32_t run_flags;
	bool per_packet, has_ifindex;
	uint64_t ifindex, map_entries;
	struct map_updates updates;
};

struct runner {
	const struct run_args *a;
	struct run_prog rp;
	enum bpf_prog_type type;
	struct pcap_in in;
	struct pcap_out out;
	struct run_stats stats;
	uint8_t *obuf;
	union {
		struct xdp_md xdp;
		struct __sk_buff skb;
	} ctx;
	struct cj j;
	bool failed;		/* a run failed (not just refused input) */
};

static const char usage_text[] =
	"usage: bpfvm run OBJ[:PROG] --pcap IN [--out DIR] [--jit|--interp]\n"
	"         [--checked] [--per-packet] [--ifindex N] [--map-entries N]\n"
	"         [--map-update NAME KEY VALUE]...\n"
	"Runs an XDP, tc (sched_cls/sched_act) or socket filter program on\n"
	"every packet of IN (pcap or pcapng, Ethernet), each as one\n"
	"BPF_PROG_TEST_RUN; socket filters see the frame from its Ethernet\n"
	"header, as on an AF_PACKET socket.\n"
	"  --out DIR       the packets that go out, per verdict: pass.pcap,\n"
	"                  tx.pcap, redirect-dev<N>.pcap, redirect-cpu<N>.pcap,\n"
	"                  redirect-xsk<N>.pcap (the program's output bytes,\n"
	"                  the input's timestamps)\n"
	"  --per-packet    each packet's verdict, return value, lengths, port\n"
	"  --ifindex N     the ingress device (xdp_md / __sk_buff field)\n"
	"  --map-entries N entries shown per map (default 32)\n"
	"  --map-update NAME KEY VALUE  set a map entry before the run (hex\n"
	"                  bytes; repeatable): DEVMAP ports, blocklists, ...\n"
	"  --jit (default), --interp; --checked: bounds-checked memory access\n"
	"Timing covers the test_run calls only: not reading the capture\n"
	"(read into memory first), printing or writing pcaps. -j: JSON.";

static int num_arg(const char *opt, const char *val, uint64_t max,
		   uint64_t *v)
{
	if (cli_parse_u64(val, v) || *v > max) {
		cli_err("run: %s: '%s' is not a number up to %llu", opt, val,
			(unsigned long long)max);
		return -1;
	}
	return 0;
}

/* 0, 1 after printing --help, -1 after printing why not. */
static int parse_args(int argc, char **argv, struct run_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = !strcmp(arg, "--pcap") || !strcmp(arg, "--out") ||
			     !strcmp(arg, "--ifindex") ||
			     !strcmp(arg, "--map-entries");

		int mu = map_update_arg(argc, argv, &i, &a->updates);

		if (mu < 0)
			return -1;
		if (mu)
			continue;
		if (takes && !val) {
			cli_err("run: %s needs a value", arg);
			return -1;
		}
		if (takes)
			i++;
		if (run_prog_engine_arg(arg, &a->engine, &a->run_flags))
			continue;
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			puts(usage_text);
			return 1;
		} else if (!strcmp(arg, "--per-packet")) {
			a->per_packet = true;
		} else if (!strcmp(arg, "--pcap")) {
			a->pcap = val;
		} else if (!strcmp(arg, "--out")) {
			a->out = val;
		} else if (!strcmp(arg, "--ifindex")) {
			a->has_ifindex = true;
			if (num_arg(arg, val, UINT32_MAX, &a->ifindex))
				return -1;
		} else if (!strcmp(arg, "--map-entries")) {
			if (num_arg(arg, val, SIZE_MAX, &a->map_entries))
				return -1;
		} else if (arg[0] == '-' || a->spec) {
			cli_err("run: unexpected '%s'", arg);
			return -1;
		} else {
			a->spec = arg;
		}
	}
	if (!a->spec || !a->pcap) {
		cli_err("run: %s", !a->spec ? "no object given"
					    : "no capture given (--pcap IN)");
		return -1;
	}
	return 0;
}

/* --out DIR: made when missing, parents too (mkdir -p). */
static int prepare_out(const char *dir)
{
	char path[4096];
	struct stat st;

	if (!dir)
		return 0;
	if (!dir[0]) {
		cli_err("--out: an empty path");
		return -1;
	}
	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1; ; p++) {
		bool end = !*p;

		if (*p != '/' && !end)
			continue;
		*p = 0;
		if (mkdir(path, 0777) && errno != EEXIST) {
			cli_err("--out: %s: %s", path, strerror(errno));
			return -1;
		}
		if (end)
			break;
		*p = '/';
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		cli_err("--out: %s is not a directory", dir);
		return -1;
	}
	return 0;
}

/* --ifindex N: the device the packets arrive on (ctx_in). */
static void set_ctx(struct runner *r, struct bpfvm_test_run_opts *o,
		    uint32_t len)
{
	if (!r->a->has_ifindex)
		return;
	if (r->type == BPF_PROG_TYPE_XDP) {
		/* the kernel wants data_end = the packet's size */
		r->ctx.xdp = (struct xdp_md){
			.data_end = len,
			.ingress_ifindex = (uint32_t)r->a->ifindex,
		};
		o->ctx_size_in = sizeof(r->ctx.xdp);
	} else {
		memset(&r->ctx.skb, 0, sizeof(r->ctx.skb));
		r->ctx.skb.ingress_ifindex = (uint32_t)r->a->ifindex;
		o->ctx_size_in = sizeof(r->ctx.skb);
	}
	o->ctx_in = &r->ctx;
}

/* tc's TC_ACT_UNSPEC is -1; the others' return values are unsigned. */
static long long retval_of(const struct runner *r,
			   const struct bpfvm_test_run_opts *o)
{
	bool tc = r->type == BPF_PROG_TYPE_SCHED_CLS ||
		  r->type == BPF_PROG_TYPE_SCHED_ACT;

	return tc ? (int32_t)o->retval : (long long)o->retval;
}

static void print_packet(struct runner *r, uint64_t n,
			 const struct bpfvm_test_run_opts *o, uint32_t len_in,
			 const struct run_verdict *v, const char *err)
{
	if (cli_json_on()) {
		struct cj *j = &r->j;

		cj_obj_begin(j, NULL);
		cj_u64(j, "packet", n);
		cj_str(j, "verdict", err ? "error" : v->name);
		if (err) {
			cj_str(j, "error", err);
		} else {
			cj_i64(j, "retval", retval_of(r, o));
			cj_u64(j, "len_in", len_in);
			cj_u64(j, "len_out", v->out_len);
			if (v->port[0])
				cj_str(j, "port", v->port);
			else
				cj_null(j, "port");
		}
		cj_obj_end(j);
		cj_end(j);
	} else if (err) {
		printf("%8llu error     %s\n", (unsigned long long)n, err);
	} else {
		printf("%8llu %-9s retval %-10lld len %u -> %u%s%s\n",
		       (unsigned long long)n, v->name, retval_of(r, o), len_in,
		       v->out_len, v->port[0] ? " port " : "", v->port);
	}
}

/* What happens to a packet after its run: counted, written, printed. */
static int after_run(struct runner *r, uint64_t n, int err,
		     const struct bpfvm_test_run_opts *o,
		     const struct pcap_in_pkt *p)
{
	const uint8_t *pkt = r->in.data + p->off;
	uint32_t len = p->caplen;
	struct run_verdict v = { 0 };
	char name[64], errmsg[512];

	if (err) {
		const char *msg = o->err_buf[0] ? o->err_buf : strerror(-err);

		run_stats_error(&r->stats, n, msg);
		r->failed |= err != -EINVAL;
		if (r->a->per_packet)
			print_packet(r, n, o, len, &v, msg);
		return 0;
	}
	run_verdict_of(r->type, o, len, &v);
	if (run_stats_count(&r->stats, v.name, v.port)) {
		cli_err("out of memory");
		return -1;
	}
	if (r->a->per_packet)
		print_packet(r, n, o, len, &v, NULL);
	if (!v.carries)
		return 0;
	if (v.port[0])
		snprintf(name, sizeof(name), "%s-%s", v.name, v.port);
	else
		snprintf(name, sizeof(name), "%s", v.name);
	/* a socket filter cuts as a snaplen does: the wire length stays */
	if (pcap_out_write(&r->out, name, &p->ts,
			   v.out_is_input ? pkt : r->obuf, v.out_len,
			   v.out_is_input ? p->len : v.out_len, errmsg,
			   sizeof(errmsg))) {
		cli_err("--out: %s", errmsg);
		return -1;
	}
	return 0;
}

/* Read a byte of every page of the capture before the clock runs: on a
 * VM with shadow paging the first read of each page the loader's
 * realloc moved (mremap) costs 2-8 us (6% of a 1M-packet capture's
 * packets, most of the timed total, measured), and reading the capture
 * is not the run's. */
static void touch_input(const struct pcap_in *in)
{
	const struct pcap_in_pkt *last = in->cnt ? &in->pkt[in->cnt - 1] : NULL;
	size_t len = last ? last->off + last->caplen : 0;
	volatile uint8_t sink = 0;

	for (size_t i = 0; i < len; i += 4096)
		sink ^= in->data[i];
}

/* A type bpfvm cannot run stops the whole run at the first packet. */
static bool unsupported(int err)
{
	return err == -ENOTSUPP || err == -EOPNOTSUPP;
}

static int run_all(struct runner *r)
{
	char errbuf[512];

	for (size_t i = 0; i < r->in.cnt; i++) {
		const struct pcap_in_pkt *p = &r->in.pkt[i];
		const uint8_t *pkt = r->in.data + p->off;
		struct bpfvm_test_run_opts o = {
			.sz = sizeof(o),
			.data_in = pkt, .data_size_in = p->caplen,
			.data_out = r->obuf, .data_size_out = OUT_CAP,
			/* timed here: the call's own clock is not needed */
			.flags = run_verdict_flags(r->type) |
				 BPFVM_TEST_RUN_F_NO_DURATION,
			.engine = r->a->engine, .run_flags = r->a->run_flags,
			.err_buf = errbuf, .err_size = sizeof(errbuf),
		};
		uint64_t t0, t1;
		int err;

		errbuf[0] = 0;
		set_ctx(r, &o, p->caplen);
		t0 = run_stats_now();
		err = bpfvm_prog_test_run(r->rp.prog, &o);
		t1 = run_stats_now();
		if (run_stats_time(&r->stats, t0, t1)) {
			cli_err("out of memory");
			return -1;
		}
		if (unsupported(err) && i == 0) {
			cli_err("%s: %s", r->a->spec,
				errbuf[0] ? errbuf : strerror(-err));
			return -1;
		}
		if (after_run(r, i + 1, err, &o, p))
			return -1;
	}
	run_stats_stop(&r->stats);
	return 0;
}

static const char *type_name(enum bpf_prog_type t)
{
	return bpfvm_prog_type_name(t) ?: "unknown";
}

static void summary_text(struct runner *r)
{
	printf("program    %s (%s, section %s) from %s\n",
	       bpfvm_obj_prog_name(r->rp.oprog), type_name(r->type),
	       bpfvm_obj_prog_section(r->rp.oprog), r->a->spec);
	printf("engine     %s%s\n", run_prog_engine_name(r->a->engine),
	       r->a->run_flags & BPFVM_RUN_F_CHECKED ? " (checked)" : "");
	printf("input      %s\n", r->a->pcap);
	run_stats_print(stdout, &r->stats, run_verdict_names(r->type));
	if (r->a->out) {
		printf("written    %s/:", r->a->out);
		for (size_t i = 0; i < r->out.cnt; i++)
			printf("%s %s.pcap %llu", i ? "," : "",
			       r->out.files[i].name,
			       (unsigned long long)r->out.files[i].packets);
		printf("%s\n", r->out.cnt ? "" : " nothing");
	}
	map_print_text(stdout, r->rp.obj, r->a->map_entries);
}

static void summary_json(struct runner *r)
{
	struct cj *j = &r->j;

	cj_obj_begin(j, NULL);
	cj_str(j, "program", bpfvm_obj_prog_name(r->rp.oprog));
	cj_str(j, "type", type_name(r->type));
	cj_str(j, "section", bpfvm_obj_prog_section(r->rp.oprog));
	cj_str(j, "engine", run_prog_engine_name(r->a->engine));
	cj_bool(j, "checked", r->a->run_flags & BPFVM_RUN_F_CHECKED);
	cj_str(j, "input", r->a->pcap);
	run_stats_json(j, &r->stats, run_verdict_names(r->type));
	cj_obj_begin(j, "files");
	for (size_t i = 0; i < r->out.cnt; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s.pcap", r->out.files[i].name);
		cj_u64(j, name, r->out.files[i].packets);
	}
	cj_obj_end(j);
	map_print_json(j, r->rp.obj, r->a->map_entries);
	cj_obj_end(j);
	cj_end(j);
}

static int run(struct runner *r)
{
	char err[512];
	int ret;

	r->type = bpfvm_obj_prog_type(r->rp.oprog);
	if (!run_verdict_type_ok(r->type)) {
		cli_err("run: %s is a %s program: bpfvm run feeds packets to "
			"XDP, socket filter and tc programs (try bpfvm "
			"test-run)", bpfvm_obj_prog_name(r->rp.oprog),
			type_name(r->type));
		return 1;
	}
	if (pcap_in_read(r->a->pcap, &r->in, err, sizeof(err))) {
		cli_err("%s", err);
		return 1;
	}
	if (prepare_out(r->a->out))
		return 1;
	r->obuf = malloc(OUT_CAP);
	if (!r->obuf) {
		cli_err("out of memory");
		return 1;
	}
	memset(r->obuf, 0, OUT_CAP); /* page faults now, not in the loop */
	touch_input(&r->in);
	r->out.dir = r->a->out;
	run_prog_warm(r->rp.prog, r->a->engine, r->a->run_flags);
	run_stats_init(&r->stats, r->in.cnt);
	r->stats.truncated = r->in.truncated;
	ret = run_all(r);
	if (pcap_out_close(&r->out, err, sizeof(err))) {
		cli_err("--out: %s", err);
		ret = -1;
	}
	if (ret)
		return 1;
	if (cli_json_on())
		summary_json(r);
	else
		summary_text(r);
	return r->failed ? 1 : 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = { .engine = run_prog_default_engine(),
			      .map_entries = MAP_ENTRIES_DEFAULT };
	struct runner r = { .a = &a };
	int ret;

	ret = parse_args(argc, argv, &a);
	if (ret) {
		if (ret < 0)
			fprintf(stderr, "%s\n", usage_text);
		return ret < 0 ? 2 : 0;
	}
	if (run_prog_open(a.spec, &r.rp))
		return 1;
	if (map_update_apply(r.rp.obj, &a.updates)) {
		run_prog_close(&r.rp);
		return 1;
	}
	cj_init(&r.j, stdout);
	ret = run(&r);
	pcap_out_free(&r.out);
	run_stats_free(&r.stats);
	pcap_in_free(&r.in);
	free(r.obuf);
	run_prog_close(&r.rp);
	return ret;
}
