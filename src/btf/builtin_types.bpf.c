/* The types of bpfvm_btf_builtin(): bpfvm's context and helper types,
 * compiled at build time by clang -g -target bpf (src/btf/builtin.cmake)
 * so their BTF is exactly what <linux/bpf.h> declares. Not part of the
 * library's C sources. struct pt_regs is x86-64's (asm/ptrace.h without
 * __i386__). */
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <asm/ptrace.h>

/* The common fields every tracepoint record starts with (the kernel's
 * struct trace_entry, include/linux/trace_events.h). */
struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

/* Each member (by value: clang emits only a FWD for a struct seen just
 * through a pointer) pulls one type and what it uses into .BTF; a function
 * (BPF functions take at most 5 arguments) pulls in the struct. */
struct bpfvm_builtin_types {
	struct xdp_md xdp;
	struct __sk_buff skb;
	struct bpf_sock sk;
	struct pt_regs regs;
	struct bpf_perf_event_data perf;
	struct bpf_perf_event_value perf_value;
	struct sk_msg_md msg;
	struct bpf_sock_ops ops;
	struct bpf_sock_addr addr;
	struct bpf_sk_lookup lookup;
	struct sk_reuseport_md reuse;
	struct bpf_sockopt opt;
	struct bpf_sysctl sysctl;
	struct bpf_cgroup_dev_ctx dev;
	struct bpf_raw_tracepoint_args raw;
	struct bpf_flow_keys flow;
	struct bpf_tcp_sock tcp;
	struct bpf_xdp_sock xsk;
	struct bpf_spin_lock lock;
	struct bpf_timer timer;
	struct bpf_dynptr dynptr;
	struct trace_entry entry;
	struct bpf_tunnel_key tun;
	struct bpf_xfrm_state xfrm;
	struct bpf_fib_lookup fib;
	struct bpf_redir_neigh neigh;
	struct bpf_sock_tuple tuple;
	enum bpf_map_type map_type;
	enum bpf_prog_type prog_type;
	enum bpf_attach_type attach_type;
	enum bpf_func_id func_id;
};

int bpfvm_builtin_types(struct bpfvm_builtin_types *types)
{
	return types != 0;
}
