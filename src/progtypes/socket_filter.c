/* BPF_PROG_TYPE_SOCKET_FILTER: struct __sk_buff (skb_ctx.h) from the
 * network header, as a socket's filter sees a received packet; no direct
 * packet access (LD_ABS / LD_IND and skb_load_bytes read it), cb[] the
 * only field it may write. The return value is how many bytes of the
 * packet the socket keeps (0 drops it; more than the packet keeps it
 * whole). BPF_PROG_TEST_RUN as bpf_prog_test_run_skb (skb_run.c). */
#include "progtypes/skb_ctx.h"

/* sk_filter_func_proto, then bpf_sk_base_func_proto's additions to the
 * base helpers. bpfvm lacks some (get_socket_cookie, skc_to_*): the type
 * allows them as the kernel does, and a program calling one fails to load
 * as no environment registers it. */
bool skb_sk_filter_helper_ok(uint32_t id)
{
	switch (id) {
	case BPF_FUNC_skb_load_bytes:
	case BPF_FUNC_skb_load_bytes_relative:
	case BPF_FUNC_get_socket_cookie:
	case BPF_FUNC_get_socket_uid:
	case BPF_FUNC_perf_event_output:
		return true;
	}
	return pt_sk_base_helper_ok(id);
}

static int sf_ctx_access(const struct pt_ctx_access *a, struct bpf_insn *insn,
			 char *why, size_t why_size)
{
	return skb_ctx_access(false, a, insn, why, why_size);
}

static int sf_test_run(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *o)
{
	return skb_test_run(prog, o, false);
}

const struct pt_ops pt_socket_filter_ops = {
	.type = BPF_PROG_TYPE_SOCKET_FILTER,
	.name = "socket_filter",
	.ctx_name = "struct __sk_buff",
	.ctx_access = sf_ctx_access,
	.helper_ok = skb_sk_filter_helper_ok,
	.test_run = sf_test_run,
};
