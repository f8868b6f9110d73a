/* SEC() names -> program and expected attach types: every row of
 * ../shared/specs/libbpf_program_types.rst ("type+" rows both bare and
 * with "/extras"), the names libbpf accepted before 1.0 (prefixes such as
 * "socket1", "xdp_prog", "classifier_x"), names no convention knows, and
 * the bpftool names of program and map types. Attach types newer than
 * the installed <linux/bpf.h> are numbers (the uapi header's values). */
#include <errno.h>
#include <string.h>

#include <bpfvm/object.h>
#include "check.h"

struct row {
	const char *name;
	int type;
	int attach;
};

/* From the spec's table, row by row. */
static const struct row spec_rows[] = {
	{ "cgroup/dev", BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE },
	{ "cgroup/skb", BPF_PROG_TYPE_CGROUP_SKB, 0 },
	{ "cgroup_skb/egress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS },
	{ "cgroup_skb/ingress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS },
	{ "cgroup/getsockopt", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT },
	{ "cgroup/setsockopt", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT },
	{ "cgroup/bind4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND },
	{ "cgroup/connect4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT },
	{ "cgroup/getpeername4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETPEERNAME },
	{ "cgroup/getsockname4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETSOCKNAME },
	{ "cgroup/bind6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND },
	{ "cgroup/connect6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT },
	{ "cgroup/getpeername6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETPEERNAME },
	{ "cgroup/getsockname6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETSOCKNAME },
	{ "cgroup/recvmsg4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG },
	{ "cgroup/sendmsg4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG },
	{ "cgroup/recvmsg6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_RECVMSG },
	{ "cgroup/sendmsg6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG },
	{ "cgroup/connect_unix", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 49 },
	{ "cgroup/sendmsg_unix", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 50 },
	{ "cgroup/recvmsg_unix", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 51 },
	{ "cgroup/getpeername_unix", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 52 },
	{ "cgroup/getsockname_unix", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 53 },
	{ "cgroup/post_bind4", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND },
	{ "cgroup/post_bind6", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND },
	{ "cgroup/sock_create", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE },
	{ "cgroup/sock", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE },
	{ "cgroup/sock_release", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_RELEASE },
	{ "cgroup/sysctl", BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL },
	{ "freplace", BPF_PROG_TYPE_EXT, 0 },
	{ "freplace/some/extra", BPF_PROG_TYPE_EXT, 0 },
	{ "flow_dissector", BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR },
	{ "kprobe", BPF_PROG_TYPE_KPROBE, 0 },
	{ "kprobe/some/extra", BPF_PROG_TYPE_KPROBE, 0 },
	{ "kretprobe", BPF_PROG_TYPE_KPROBE, 0 },
	{ "kretprobe/some/extra", BPF_PROG_TYPE_KPROBE, 0 },
	{ "ksyscall", BPF_PROG_TYPE_KPROBE, 0 },
	{ "ksyscall/some/extra", BPF_PROG_TYPE_KPROBE, 0 },
	{ "kretsyscall", BPF_PROG_TYPE_KPROBE, 0 },
	{ "kretsyscall/some/extra", BPF_PROG_TYPE_KPROBE, 0 },
	{ "uprobe", BPF_PROG_TYPE_KPROBE, 0 },
	{ "uprobe/some/extra", BPF_PROG_TYPE_KPROBE, 0 },
	{ "uprobe.s", BPF_PROG_TYPE_KPROBE, 0 },
	{ "uprobe.s/some/extra", BPF_PROG_TYPE_KPROBE, 0 },
	{ "uretprobe", BPF_PROG_TYPE_KPROBE, 0 },
	{ "uretprobe/some/extra", BPF_PROG_TYPE_KPROBE, 0 },
	{ "uretprobe.s", BPF_PROG_TYPE_KPROBE, 0 },
	{ "uretprobe.s/some/extra", BPF_PROG_TYPE_KPROBE, 0 },
	{ "usdt", BPF_PROG_TYPE_KPROBE, 0 },
	{ "usdt/some/extra", BPF_PROG_TYPE_KPROBE, 0 },
	{ "usdt.s", BPF_PROG_TYPE_KPROBE, 0 },
	{ "usdt.s/some/extra", BPF_PROG_TYPE_KPROBE, 0 },
	{ "kprobe.multi", BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI },
	{ "kprobe.multi/some/extra", BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI },
	{ "kretprobe.multi", BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI },
	{ "kretprobe.multi/some/extra", BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI },
	{ "kprobe.session", BPF_PROG_TYPE_KPROBE, 56 },
	{ "kprobe.session/some/extra", BPF_PROG_TYPE_KPROBE, 56 },
	{ "uprobe.multi", BPF_PROG_TYPE_KPROBE, 48 },
	{ "uprobe.multi/some/extra", BPF_PROG_TYPE_KPROBE, 48 },
	{ "uprobe.multi.s", BPF_PROG_TYPE_KPROBE, 48 },
	{ "uprobe.multi.s/some/extra", BPF_PROG_TYPE_KPROBE, 48 },
	{ "uretprobe.multi", BPF_PROG_TYPE_KPROBE, 48 },
	{ "uretprobe.multi/some/extra", BPF_PROG_TYPE_KPROBE, 48 },
	{ "uretprobe.multi.s", BPF_PROG_TYPE_KPROBE, 48 },
	{ "uretprobe.multi.s/some/extra", BPF_PROG_TYPE_KPROBE, 48 },
	{ "uprobe.session", BPF_PROG_TYPE_KPROBE, 57 },
	{ "uprobe.session/some/extra", BPF_PROG_TYPE_KPROBE, 57 },
	{ "uprobe.session.s", BPF_PROG_TYPE_KPROBE, 57 },
	{ "uprobe.session.s/some/extra", BPF_PROG_TYPE_KPROBE, 57 },
	{ "lirc_mode2", BPF_PROG_TYPE_LIRC_MODE2, BPF_LIRC_MODE2 },
	{ "lsm_cgroup", BPF_PROG_TYPE_LSM, BPF_LSM_CGROUP },
	{ "lsm_cgroup/some/extra", BPF_PROG_TYPE_LSM, BPF_LSM_CGROUP },
	{ "lsm", BPF_PROG_TYPE_LSM, BPF_LSM_MAC },
	{ "lsm/some/extra", BPF_PROG_TYPE_LSM, BPF_LSM_MAC },
	{ "lsm.s", BPF_PROG_TYPE_LSM, BPF_LSM_MAC },
	{ "lsm.s/some/extra", BPF_PROG_TYPE_LSM, BPF_LSM_MAC },
	{ "lwt_in", BPF_PROG_TYPE_LWT_IN, 0 },
	{ "lwt_out", BPF_PROG_TYPE_LWT_OUT, 0 },
	{ "lwt_seg6local", BPF_PROG_TYPE_LWT_SEG6LOCAL, 0 },
	{ "lwt_xmit", BPF_PROG_TYPE_LWT_XMIT, 0 },
	{ "netfilter", 32, 45 },
	{ "perf_event", BPF_PROG_TYPE_PERF_EVENT, 0 },
	{ "raw_tp.w", BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0 },
	{ "raw_tp.w/some/extra", BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0 },
	{ "raw_tracepoint.w", BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0 },
	{ "raw_tracepoint.w/some/extra", BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0 },
	{ "raw_tp", BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
	{ "raw_tp/some/extra", BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
	{ "raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
	{ "raw_tracepoint/some/extra", BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
	{ "action", BPF_PROG_TYPE_SCHED_ACT, 0 },
	{ "classifier", BPF_PROG_TYPE_SCHED_CLS, 0 },
	{ "tc", BPF_PROG_TYPE_SCHED_CLS, 0 },
	{ "netkit/primary", BPF_PROG_TYPE_SCHED_CLS, 54 },
	{ "netkit/peer", BPF_PROG_TYPE_SCHED_CLS, 55 },
	{ "tc/ingress", BPF_PROG_TYPE_SCHED_CLS, 46 },
	{ "tc/egress", BPF_PROG_TYPE_SCHED_CLS, 47 },
	{ "tcx/ingress", BPF_PROG_TYPE_SCHED_CLS, 46 },
	{ "tcx/egress", BPF_PROG_TYPE_SCHED_CLS, 47 },
	{ "sk_lookup", BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP },
	{ "sk_msg", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT },
	{ "sk_reuseport/migrate", BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT_OR_MIGRATE },
	{ "sk_reuseport", BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT },
	{ "sk_skb", BPF_PROG_TYPE_SK_SKB, 0 },
	{ "sk_skb/stream_parser", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_PARSER },
	{ "sk_skb/stream_verdict", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT },
	{ "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0 },
	{ "sockops", BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS },
	{ "struct_ops", BPF_PROG_TYPE_STRUCT_OPS, 0 },
	{ "struct_ops/some/extra", BPF_PROG_TYPE_STRUCT_OPS, 0 },
	{ "struct_ops.s", BPF_PROG_TYPE_STRUCT_OPS, 0 },
	{ "struct_ops.s/some/extra", BPF_PROG_TYPE_STRUCT_OPS, 0 },
	{ "syscall", BPF_PROG_TYPE_SYSCALL, 0 },
	{ "tp", BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "tp/some/extra", BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "tracepoint", BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "tracepoint/some/extra", BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "fmod_ret", BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN },
	{ "fmod_ret/some/extra", BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN },
	{ "fmod_ret.s", BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN },
	{ "fmod_ret.s/some/extra", BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN },
	{ "fentry", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY },
	{ "fentry/some/extra", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY },
	{ "fentry.s", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY },
	{ "fentry.s/some/extra", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY },
	{ "fexit", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT },
	{ "fexit/some/extra", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT },
	{ "fexit.s", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT },
	{ "fexit.s/some/extra", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT },
	{ "fsession", BPF_PROG_TYPE_TRACING, 58 },
	{ "fsession/some/extra", BPF_PROG_TYPE_TRACING, 58 },
	{ "fsession.s", BPF_PROG_TYPE_TRACING, 58 },
	{ "fsession.s/some/extra", BPF_PROG_TYPE_TRACING, 58 },
	{ "iter", BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER },
	{ "iter/some/extra", BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER },
	{ "iter.s", BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER },
	{ "iter.s/some/extra", BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER },
	{ "tp_btf", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP },
	{ "tp_btf/some/extra", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP },
	{ "xdp.frags/cpumap", BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP },
	{ "xdp/cpumap", BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP },
	{ "xdp.frags/devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP },
	{ "xdp/devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP },
	{ "xdp.frags", BPF_PROG_TYPE_XDP, BPF_XDP },
	{ "xdp", BPF_PROG_TYPE_XDP, BPF_XDP },
};

/* Older and looser spellings real objects carry. */
static const struct row legacy_rows[] = {
	{ "kprobe/sys_write", BPF_PROG_TYPE_KPROBE, 0 },
	{ "kretprobe/sys_write", BPF_PROG_TYPE_KPROBE, 0 },
	{ "uprobe//bin/bash:readline", BPF_PROG_TYPE_KPROBE, 0 },
	{ "usdt/libc.so.6:libc:setjmp", BPF_PROG_TYPE_KPROBE, 0 },
	{ "tracepoint/syscalls/sys_enter_execve", BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "tp/sched/sched_switch", BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "raw_tracepoint/sched_switch", BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
	{ "raw_tp/sched_switch", BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
	{ "fentry/do_unlinkat", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY },
	{ "socket1", BPF_PROG_TYPE_SOCKET_FILTER, 0 },
	{ "socket/filter", BPF_PROG_TYPE_SOCKET_FILTER, 0 },
	{ "xdp_prog", BPF_PROG_TYPE_XDP, BPF_XDP },
	{ "xdp/foo", BPF_PROG_TYPE_XDP, BPF_XDP },
	{ "xdp_devmap/redirect", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP },
	{ "xdp_cpumap/redirect", BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP },
	{ "classifier/ingress", BPF_PROG_TYPE_SCHED_CLS, 0 },
	{ "classifier_egress", BPF_PROG_TYPE_SCHED_CLS, 0 },
	{ "action/drop", BPF_PROG_TYPE_SCHED_ACT, 0 },
	{ "perf_event/cycles", BPF_PROG_TYPE_PERF_EVENT, 0 },
	{ "lwt_xmit/encap", BPF_PROG_TYPE_LWT_XMIT, 0 },
	{ "sockops_prog", BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS },
	{ "sk_skb/verdict", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_VERDICT },
	{ "sk_skb/stream_parser_x", BPF_PROG_TYPE_SK_SKB,
	  BPF_SK_SKB_STREAM_PARSER },
	{ "sk_skb/other", BPF_PROG_TYPE_SK_SKB, 0 },
	{ "sk_msg/redir", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT },
	{ "cgroup_skb/ingress_x", BPF_PROG_TYPE_CGROUP_SKB,
	  BPF_CGROUP_INET_INGRESS },
	{ "cgroup/skb_x", BPF_PROG_TYPE_CGROUP_SKB, 0 },
	{ "cgroup/dev_x", BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE },
	{ "flow_dissector/x", BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR },
};

/* No convention: strict patterns do not stretch. */
static const char *const unknown[] = {
	"", ".text", "prog", "kprobex", "tracepointx", "tcx", "tc/other",
	"tc_ingress", "lsm_cgroupx", "fentryx", "syscall/x", "netfilterx",
	"sk_lookup/x", "cgroup/unknown", "iterx", "maps", "license",
};

static void check_rows(const struct row *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		enum bpf_prog_type t = 999;
		enum bpf_attach_type a = 999;
		int err = bpfvm_section_type(r[i].name, &t, &a);

		if (err || (int)t != r[i].type || (int)a != r[i].attach)
			fprintf(stderr, "'%s': %d type %d attach %d, want %d %d\n",
				r[i].name, err, t, a, r[i].type, r[i].attach);
		CHECK(err == 0 && (int)t == r[i].type &&
		      (int)a == r[i].attach);
	}
}

int main(void)
{
	enum bpf_prog_type t;
	enum bpf_attach_type a;

	check_rows(spec_rows, sizeof(spec_rows) / sizeof(spec_rows[0]));
	check_rows(legacy_rows, sizeof(legacy_rows) / sizeof(legacy_rows[0]));
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		int err = bpfvm_section_type(unknown[i], &t, &a);

		if (err != -ESRCH)
			fprintf(stderr, "'%s' matched type %d\n", unknown[i], t);
		CHECK(err == -ESRCH);
	}
	CHECK(bpfvm_section_type(NULL, &t, &a) == -EINVAL);
	CHECK(bpfvm_section_type("xdp", NULL, NULL) == 0);

	CHECK_STREQ(bpfvm_prog_type_name(BPF_PROG_TYPE_SOCKET_FILTER),
		    "socket_filter");
	CHECK_STREQ(bpfvm_prog_type_name(BPF_PROG_TYPE_SCHED_CLS), "sched_cls");
	CHECK_STREQ(bpfvm_prog_type_name(BPF_PROG_TYPE_XDP), "xdp");
	CHECK_STREQ(bpfvm_prog_type_name(BPF_PROG_TYPE_CGROUP_SOCK_ADDR),
		    "cgroup_sock_addr");
	CHECK_STREQ(bpfvm_prog_type_name((enum bpf_prog_type)32), "netfilter");
	CHECK(bpfvm_prog_type_name((enum bpf_prog_type)1000) == NULL);
	CHECK(bpfvm_prog_type_name((enum bpf_prog_type)-1) == NULL);
	CHECK_STREQ(bpfvm_map_type_name(BPF_MAP_TYPE_HASH), "hash");
	CHECK_STREQ(bpfvm_map_type_name(BPF_MAP_TYPE_PERF_EVENT_ARRAY),
		    "perf_event_array");
	CHECK_STREQ(bpfvm_map_type_name(BPF_MAP_TYPE_RINGBUF), "ringbuf");
	CHECK_STREQ(bpfvm_map_type_name((enum bpf_map_type)33), "arena");
	CHECK(bpfvm_map_type_name((enum bpf_map_type)1000) == NULL);
	for (int i = 0; i <= 33; i++)	/* every type up to arena has one */
		CHECK(bpfvm_map_type_name((enum bpf_map_type)i) != NULL);
	for (int i = 0; i <= 32; i++)
		CHECK(bpfvm_prog_type_name((enum bpf_prog_type)i) != NULL);
	return check_report();
}
