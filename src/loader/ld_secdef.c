/* SEC() names -> program and expected attach types, as libbpf reads them
 * (../shared/specs/libbpf_program_types.rst), plus the names of program
 * and map types as bpftool prints them.
 *
 * A pattern "t" matches exactly, "t+" matches "t" or "t/anything", "t/"
 * matches any name starting with "t/". Entries marked SLOPPY also match
 * any name that merely starts with them, as libbpf before 1.0 did
 * ("socket1", "xdp_prog", "classifier_ingress"): that second pass runs
 * only when no entry matched strictly, so new names always win. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <bpfvm/object.h>

/* Values newer than the installed <linux/bpf.h> (Debian 12's): the
 * kernel's numbers (../shared/specs/libbpf_uapi_linux_bpf.h). */
enum {
	LD_NETFILTER = 45,
	LD_TCX_INGRESS = 46,
	LD_TCX_EGRESS = 47,
	LD_TRACE_UPROBE_MULTI = 48,
	LD_CGROUP_UNIX_CONNECT = 49,
	LD_CGROUP_UNIX_SENDMSG = 50,
	LD_CGROUP_UNIX_RECVMSG = 51,
	LD_CGROUP_UNIX_GETPEERNAME = 52,
	LD_CGROUP_UNIX_GETSOCKNAME = 53,
	LD_NETKIT_PRIMARY = 54,
	LD_NETKIT_PEER = 55,
	LD_TRACE_KPROBE_SESSION = 56,
	LD_TRACE_UPROBE_SESSION = 57,
	LD_TRACE_FSESSION = 58,
	LD_PROG_TYPE_NETFILTER = 32,
	LD_MAP_TYPE_CGRP_STORAGE = 32,
	LD_MAP_TYPE_ARENA = 33,
};

#define SLOPPY 1

struct secdef {
	const char *pat;
	int type;	/* enum bpf_prog_type, bpf_attach_type: int, as */
	int attach;	/* some values are newer than the header */
	int flags;
};

#define D(p, t, a, f) { p, BPF_PROG_TYPE_##t, a, f }

/* In libbpf's order: the first match wins. */
static const struct secdef secdefs[] = {
	D("socket", SOCKET_FILTER, 0, SLOPPY),
	D("sk_reuseport/migrate", SK_REUSEPORT,
	  BPF_SK_REUSEPORT_SELECT_OR_MIGRATE, SLOPPY),
	D("sk_reuseport", SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT, SLOPPY),
	D("kprobe+", KPROBE, 0, 0),
	D("uprobe+", KPROBE, 0, 0),
	D("uprobe.s+", KPROBE, 0, 0),
	D("kretprobe+", KPROBE, 0, 0),
	D("uretprobe+", KPROBE, 0, 0),
	D("uretprobe.s+", KPROBE, 0, 0),
	D("kprobe.multi+", KPROBE, BPF_TRACE_KPROBE_MULTI, 0),
	D("kretprobe.multi+", KPROBE, BPF_TRACE_KPROBE_MULTI, 0),
	D("kprobe.session+", KPROBE, LD_TRACE_KPROBE_SESSION, 0),
	D("uprobe.multi+", KPROBE, LD_TRACE_UPROBE_MULTI, 0),
	D("uretprobe.multi+", KPROBE, LD_TRACE_UPROBE_MULTI, 0),
	D("uprobe.multi.s+", KPROBE, LD_TRACE_UPROBE_MULTI, 0),
	D("uretprobe.multi.s+", KPROBE, LD_TRACE_UPROBE_MULTI, 0),
	D("uprobe.session+", KPROBE, LD_TRACE_UPROBE_SESSION, 0),
	D("uprobe.session.s+", KPROBE, LD_TRACE_UPROBE_SESSION, 0),
	D("ksyscall+", KPROBE, 0, 0),
	D("kretsyscall+", KPROBE, 0, 0),
	D("usdt+", KPROBE, 0, 0),
	D("usdt.s+", KPROBE, 0, 0),
	D("tc/ingress", SCHED_CLS, LD_TCX_INGRESS, 0),
	D("tc/egress", SCHED_CLS, LD_TCX_EGRESS, 0),
	D("tcx/ingress", SCHED_CLS, LD_TCX_INGRESS, 0),
	D("tcx/egress", SCHED_CLS, LD_TCX_EGRESS, 0),
	D("tc", SCHED_CLS, 0, 0),
	D("classifier", SCHED_CLS, 0, SLOPPY),
	D("action", SCHED_ACT, 0, SLOPPY),
	D("netkit/primary", SCHED_CLS, LD_NETKIT_PRIMARY, 0),
	D("netkit/peer", SCHED_CLS, LD_NETKIT_PEER, 0),
	D("tracepoint+", TRACEPOINT, 0, 0),
	D("tp+", TRACEPOINT, 0, 0),
	D("raw_tracepoint+", RAW_TRACEPOINT, 0, 0),
	D("raw_tp+", RAW_TRACEPOINT, 0, 0),
	D("raw_tracepoint.w+", RAW_TRACEPOINT_WRITABLE, 0, 0),
	D("raw_tp.w+", RAW_TRACEPOINT_WRITABLE, 0, 0),
	D("tp_btf+", TRACING, BPF_TRACE_RAW_TP, 0),
	D("fentry+", TRACING, BPF_TRACE_FENTRY, 0),
	D("fmod_ret+", TRACING, BPF_MODIFY_RETURN, 0),
	D("fexit+", TRACING, BPF_TRACE_FEXIT, 0),
	D("fentry.s+", TRACING, BPF_TRACE_FENTRY, 0),
	D("fmod_ret.s+", TRACING, BPF_MODIFY_RETURN, 0),
	D("fexit.s+", TRACING, BPF_TRACE_FEXIT, 0),
	D("fsession+", TRACING, LD_TRACE_FSESSION, 0),
	D("fsession.s+", TRACING, LD_TRACE_FSESSION, 0),
	D("freplace+", EXT, 0, 0),
	D("lsm+", LSM, BPF_LSM_MAC, 0),
	D("lsm.s+", LSM, BPF_LSM_MAC, 0),
	D("lsm_cgroup+", LSM, BPF_LSM_CGROUP, 0),
	D("iter+", TRACING, BPF_TRACE_ITER, 0),
	D("iter.s+", TRACING, BPF_TRACE_ITER, 0),
	D("syscall", SYSCALL, 0, 0),
	D("xdp.frags/devmap", XDP, BPF_XDP_DEVMAP, 0),
	D("xdp/devmap", XDP, BPF_XDP_DEVMAP, 0),
	D("xdp_devmap/", XDP, BPF_XDP_DEVMAP, 0),	/* before libbpf 1.0 */
	D("xdp.frags/cpumap", XDP, BPF_XDP_CPUMAP, 0),
	D("xdp/cpumap", XDP, BPF_XDP_CPUMAP, 0),
	D("xdp_cpumap/", XDP, BPF_XDP_CPUMAP, 0),	/* before libbpf 1.0 */
	D("xdp.frags", XDP, BPF_XDP, 0),
	D("xdp", XDP, BPF_XDP, SLOPPY),
	D("perf_event", PERF_EVENT, 0, SLOPPY),
	D("lwt_in", LWT_IN, 0, SLOPPY),
	D("lwt_out", LWT_OUT, 0, SLOPPY),
	D("lwt_xmit", LWT_XMIT, 0, SLOPPY),
	D("lwt_seg6local", LWT_SEG6LOCAL, 0, SLOPPY),
	D("sockops", SOCK_OPS, BPF_CGROUP_SOCK_OPS, SLOPPY),
	D("sk_skb/stream_parser", SK_SKB, BPF_SK_SKB_STREAM_PARSER, SLOPPY),
	D("sk_skb/stream_verdict", SK_SKB, BPF_SK_SKB_STREAM_VERDICT, SLOPPY),
	D("sk_skb/verdict", SK_SKB, BPF_SK_SKB_VERDICT, 0),
	D("sk_skb", SK_SKB, 0, SLOPPY),
	D("sk_msg", SK_MSG, BPF_SK_MSG_VERDICT, SLOPPY),
	D("lirc_mode2", LIRC_MODE2, BPF_LIRC_MODE2, SLOPPY),
	D("flow_dissector", FLOW_DISSECTOR, BPF_FLOW_DISSECTOR, SLOPPY),
	D("cgroup_skb/ingress", CGROUP_SKB, BPF_CGROUP_INET_INGRESS, SLOPPY),
	D("cgroup_skb/egress", CGROUP_SKB, BPF_CGROUP_INET_EGRESS, SLOPPY),
	D("cgroup/skb", CGROUP_SKB, 0, SLOPPY),
	D("cgroup/sock_create", CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, 0),
	D("cgroup/sock_release", CGROUP_SOCK, BPF_CGROUP_INET_SOCK_RELEASE, 0),
	D("cgroup/sock", CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, SLOPPY),
	D("cgroup/post_bind4", CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND, 0),
	D("cgroup/post_bind6", CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND, 0),
	D("cgroup/bind4", CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, 0),
	D("cgroup/bind6", CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND, 0),
	D("cgroup/connect4", CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, 0),
	D("cgroup/connect6", CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, 0),
	D("cgroup/connect_unix", CGROUP_SOCK_ADDR, LD_CGROUP_UNIX_CONNECT, 0),
	D("cgroup/sendmsg4", CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG, 0),
	D("cgroup/sendmsg6", CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG, 0),
	D("cgroup/sendmsg_unix", CGROUP_SOCK_ADDR, LD_CGROUP_UNIX_SENDMSG, 0),
	D("cgroup/recvmsg4", CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, 0),
	D("cgroup/recvmsg6", CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_RECVMSG, 0),
	D("cgroup/recvmsg_unix", CGROUP_SOCK_ADDR, LD_CGROUP_UNIX_RECVMSG, 0),
	D("cgroup/getpeername4", CGROUP_SOCK_ADDR,
	  BPF_CGROUP_INET4_GETPEERNAME, 0),
	D("cgroup/getpeername6", CGROUP_SOCK_ADDR,
	  BPF_CGROUP_INET6_GETPEERNAME, 0),
	D("cgroup/getpeername_unix", CGROUP_SOCK_ADDR,
	  LD_CGROUP_UNIX_GETPEERNAME, 0),
	D("cgroup/getsockname4", CGROUP_SOCK_ADDR,
	  BPF_CGROUP_INET4_GETSOCKNAME, 0),
	D("cgroup/getsockname6", CGROUP_SOCK_ADDR,
	  BPF_CGROUP_INET6_GETSOCKNAME, 0),
	D("cgroup/getsockname_unix", CGROUP_SOCK_ADDR,
	  LD_CGROUP_UNIX_GETSOCKNAME, 0),
	D("cgroup/sysctl", CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, 0),
	D("cgroup/getsockopt", CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, 0),
	D("cgroup/setsockopt", CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT, 0),
	D("cgroup/dev", CGROUP_DEVICE, BPF_CGROUP_DEVICE, SLOPPY),
	D("struct_ops+", STRUCT_OPS, 0, 0),
	D("struct_ops.s+", STRUCT_OPS, 0, 0),
	D("sk_lookup", SK_LOOKUP, BPF_SK_LOOKUP, 0),
	{ "netfilter", LD_PROG_TYPE_NETFILTER, LD_NETFILTER, 0 },
};

static bool secdef_match(const char *pat, const char *name)
{
	size_t len = strlen(pat);

	if (pat[len - 1] == '/')
		return strncmp(name, pat, len) == 0;
	if (pat[len - 1] == '+') {
		len--;
		return strncmp(name, pat, len) == 0 &&
		       (name[len] == '\0' || name[len] == '/');
	}
	return strcmp(name, pat) == 0;
}

int bpfvm_section_type(const char *sec_name, enum bpf_prog_type *type,
		       enum bpf_attach_type *attach_type)
{
	const size_t n = sizeof(secdefs) / sizeof(secdefs[0]);
	const struct secdef *d = NULL;
	size_t i;

	if (!sec_name)
		return -EINVAL;
	for (i = 0; i < n && !d; i++)
		if (secdef_match(secdefs[i].pat, sec_name))
			d = &secdefs[i];
	for (i = 0; i < n && !d; i++)
		if ((secdefs[i].flags & SLOPPY) &&
		    strncmp(sec_name, secdefs[i].pat,
			    strlen(secdefs[i].pat)) == 0)
			d = &secdefs[i];
	if (!d)
		return -ESRCH;
	if (type)
		*type = (enum bpf_prog_type)d->type;
	if (attach_type)
		*attach_type = (enum bpf_attach_type)d->attach;
	return 0;
}

static const char *const prog_type_names[] = {
	[BPF_PROG_TYPE_UNSPEC] = "unspec",
	[BPF_PROG_TYPE_SOCKET_FILTER] = "socket_filter",
	[BPF_PROG_TYPE_KPROBE] = "kprobe",
	[BPF_PROG_TYPE_SCHED_CLS] = "sched_cls",
	[BPF_PROG_TYPE_SCHED_ACT] = "sched_act",
	[BPF_PROG_TYPE_TRACEPOINT] = "tracepoint",
	[BPF_PROG_TYPE_XDP] = "xdp",
	[BPF_PROG_TYPE_PERF_EVENT] = "perf_event",
	[BPF_PROG_TYPE_CGROUP_SKB] = "cgroup_skb",
	[BPF_PROG_TYPE_CGROUP_SOCK] = "cgroup_sock",
	[BPF_PROG_TYPE_LWT_IN] = "lwt_in",
	[BPF_PROG_TYPE_LWT_OUT] = "lwt_out",
	[BPF_PROG_TYPE_LWT_XMIT] = "lwt_xmit",
	[BPF_PROG_TYPE_SOCK_OPS] = "sock_ops",
	[BPF_PROG_TYPE_SK_SKB] = "sk_skb",
	[BPF_PROG_TYPE_CGROUP_DEVICE] = "cgroup_device",
	[BPF_PROG_TYPE_SK_MSG] = "sk_msg",
	[BPF_PROG_TYPE_RAW_TRACEPOINT] = "raw_tracepoint",
	[BPF_PROG_TYPE_CGROUP_SOCK_ADDR] = "cgroup_sock_addr",
	[BPF_PROG_TYPE_LWT_SEG6LOCAL] = "lwt_seg6local",
	[BPF_PROG_TYPE_LIRC_MODE2] = "lirc_mode2",
	[BPF_PROG_TYPE_SK_REUSEPORT] = "sk_reuseport",
	[BPF_PROG_TYPE_FLOW_DISSECTOR] = "flow_dissector",
	[BPF_PROG_TYPE_CGROUP_SYSCTL] = "cgroup_sysctl",
	[BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE] = "raw_tracepoint_writable",
	[BPF_PROG_TYPE_CGROUP_SOCKOPT] = "cgroup_sockopt",
	[BPF_PROG_TYPE_TRACING] = "tracing",
	[BPF_PROG_TYPE_STRUCT_OPS] = "struct_ops",
	[BPF_PROG_TYPE_EXT] = "ext",
	[BPF_PROG_TYPE_LSM] = "lsm",
	[BPF_PROG_TYPE_SK_LOOKUP] = "sk_lookup",
	[BPF_PROG_TYPE_SYSCALL] = "syscall",
	[LD_PROG_TYPE_NETFILTER] = "netfilter",
};

static const char *const map_type_names[] = {
	[BPF_MAP_TYPE_UNSPEC] = "unspec",
	[BPF_MAP_TYPE_HASH] = "hash",
	[BPF_MAP_TYPE_ARRAY] = "array",
	[BPF_MAP_TYPE_PROG_ARRAY] = "prog_array",
	[BPF_MAP_TYPE_PERF_EVENT_ARRAY] = "perf_event_array",
	[BPF_MAP_TYPE_PERCPU_HASH] = "percpu_hash",
	[BPF_MAP_TYPE_PERCPU_ARRAY] = "percpu_array",
	[BPF_MAP_TYPE_STACK_TRACE] = "stack_trace",
	[BPF_MAP_TYPE_CGROUP_ARRAY] = "cgroup_array",
	[BPF_MAP_TYPE_LRU_HASH] = "lru_hash",
	[BPF_MAP_TYPE_LRU_PERCPU_HASH] = "lru_percpu_hash",
	[BPF_MAP_TYPE_LPM_TRIE] = "lpm_trie",
	[BPF_MAP_TYPE_ARRAY_OF_MAPS] = "array_of_maps",
	[BPF_MAP_TYPE_HASH_OF_MAPS] = "hash_of_maps",
	[BPF_MAP_TYPE_DEVMAP] = "devmap",
	[BPF_MAP_TYPE_SOCKMAP] = "sockmap",
	[BPF_MAP_TYPE_CPUMAP] = "cpumap",
	[BPF_MAP_TYPE_XSKMAP] = "xskmap",
	[BPF_MAP_TYPE_SOCKHASH] = "sockhash",
	[BPF_MAP_TYPE_CGROUP_STORAGE] = "cgroup_storage",
	[BPF_MAP_TYPE_REUSEPORT_SOCKARRAY] = "reuseport_sockarray",
	[BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE] = "percpu_cgroup_storage",
	[BPF_MAP_TYPE_QUEUE] = "queue",
	[BPF_MAP_TYPE_STACK] = "stack",
	[BPF_MAP_TYPE_SK_STORAGE] = "sk_storage",
	[BPF_MAP_TYPE_DEVMAP_HASH] = "devmap_hash",
	[BPF_MAP_TYPE_STRUCT_OPS] = "struct_ops",
	[BPF_MAP_TYPE_RINGBUF] = "ringbuf",
	[BPF_MAP_TYPE_INODE_STORAGE] = "inode_storage",
	[BPF_MAP_TYPE_TASK_STORAGE] = "task_storage",
	[BPF_MAP_TYPE_BLOOM_FILTER] = "bloom_filter",
	[BPF_MAP_TYPE_USER_RINGBUF] = "user_ringbuf",
	[LD_MAP_TYPE_CGRP_STORAGE] = "cgrp_storage",
	[LD_MAP_TYPE_ARENA] = "arena",
};

const char *bpfvm_prog_type_name(enum bpf_prog_type type)
{
	if ((unsigned)type >= sizeof(prog_type_names) / sizeof(char *))
		return NULL;
	return prog_type_names[type];
}

const char *bpfvm_map_type_name(enum bpf_map_type type)
{
	if ((unsigned)type >= sizeof(map_type_names) / sizeof(char *))
		return NULL;
	return map_type_names[type];
}
