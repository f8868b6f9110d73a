/* BPF_PROG_TYPE_SCHED_CLS and SCHED_ACT (tc's cls_bpf and act_bpf):
 * struct __sk_buff (skb_ctx.h) from the Ethernet header, direct packet
 * access through data / data_end / data_meta, mark, priority, tc_index,
 * tc_classid, cb[] and tstamp writable, the packet-changing helpers. The
 * return value is a TC_ACT_* verdict (TC_ACT_OK 0, TC_ACT_SHOT 2,
 * TC_ACT_REDIRECT 7, ...; a classifier in direct-action mode).
 * BPF_PROG_TEST_RUN as bpf_prog_test_run_skb (skb_run.c). */
#include "progtypes/skb_ctx.h"

/* tc_cls_act_func_proto: the socket filter's set plus these. bpfvm lacks
 * some (tunnels, fib_lookup, socket lookups, ...): the type allows them
 * as the kernel does, and a program calling one fails to load as no
 * environment registers it. */
static bool tc_helper_ok(uint32_t id)
{
	switch (id) {
	case BPF_FUNC_skb_store_bytes:
	case BPF_FUNC_skb_pull_data:
	case BPF_FUNC_csum_diff:
	case BPF_FUNC_csum_update:
	case BPF_FUNC_csum_level:
	case BPF_FUNC_l3_csum_replace:
	case BPF_FUNC_l4_csum_replace:
	case BPF_FUNC_clone_redirect:
	case BPF_FUNC_get_cgroup_classid:
	case BPF_FUNC_skb_vlan_push:
	case BPF_FUNC_skb_vlan_pop:
	case BPF_FUNC_skb_change_proto:
	case BPF_FUNC_skb_change_type:
	case BPF_FUNC_skb_adjust_room:
	case BPF_FUNC_skb_change_tail:
	case BPF_FUNC_skb_change_head:
	case BPF_FUNC_skb_get_tunnel_key:
	case BPF_FUNC_skb_set_tunnel_key:
	case BPF_FUNC_skb_get_tunnel_opt:
	case BPF_FUNC_skb_set_tunnel_opt:
	case BPF_FUNC_redirect:
	case BPF_FUNC_redirect_neigh:
	case BPF_FUNC_redirect_peer:
	case BPF_FUNC_get_route_realm:
	case BPF_FUNC_get_hash_recalc:
	case BPF_FUNC_set_hash_invalid:
	case BPF_FUNC_set_hash:
	case BPF_FUNC_get_smp_processor_id:
	case BPF_FUNC_skb_under_cgroup:
	case BPF_FUNC_fib_lookup:
	case BPF_FUNC_check_mtu:
	case BPF_FUNC_sk_fullsock:
	case BPF_FUNC_sk_storage_get:
	case BPF_FUNC_sk_storage_delete:
	case BPF_FUNC_skb_get_xfrm_state:
	case BPF_FUNC_skb_cgroup_classid:
	case BPF_FUNC_skb_cgroup_id:
	case BPF_FUNC_skb_ancestor_cgroup_id:
	case BPF_FUNC_sk_lookup_tcp:
	case BPF_FUNC_sk_lookup_udp:
	case BPF_FUNC_sk_release:
	case BPF_FUNC_tcp_sock:
	case BPF_FUNC_get_listener_sock:
	case BPF_FUNC_skc_lookup_tcp:
	case BPF_FUNC_tcp_check_syncookie:
	case BPF_FUNC_skb_ecn_set_ce:
	case BPF_FUNC_tcp_gen_syncookie:
	case BPF_FUNC_sk_assign:
	case BPF_FUNC_skb_set_tstamp:
	case BPF_FUNC_tcp_raw_gen_syncookie_ipv4:
	case BPF_FUNC_tcp_raw_gen_syncookie_ipv6:
	case BPF_FUNC_tcp_raw_check_syncookie_ipv4:
	case BPF_FUNC_tcp_raw_check_syncookie_ipv6:
		return true;
	}
	return skb_sk_filter_helper_ok(id);
}

static int tc_ctx_access(const struct pt_ctx_access *a, struct bpf_insn *insn,
			 char *why, size_t why_size)
{
	return skb_ctx_access(true, a, insn, why, why_size);
}

static int tc_test_run(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *o)
{
	return skb_test_run(prog, o, true);
}

const struct pt_ops pt_sched_cls_ops = {
	.type = BPF_PROG_TYPE_SCHED_CLS,
	.name = "sched_cls",
	.ctx_name = "struct __sk_buff",
	.ctx_access = tc_ctx_access,
	.helper_ok = tc_helper_ok,
	.test_run = tc_test_run,
};

const struct pt_ops pt_sched_act_ops = {
	.type = BPF_PROG_TYPE_SCHED_ACT,
	.name = "sched_act",
	.ctx_name = "struct __sk_buff",
	.ctx_access = tc_ctx_access,
	.helper_ok = tc_helper_ok,
	.test_run = tc_test_run,
};
