/* What every program type shares at creation: the base helpers, and the
 * per-type checks of a new program (helper calls, then ctx accesses). */
#include <errno.h>

#include "core/log.h"
#include "isa/isa.h"
#include "progtypes/progtype.h"
#include "progtypes/pt_prepare.h"
#include "verifier/ctx_track.h"

/* The kernel's bpf_base_func_proto (kernel/bpf/helpers.c) for a caller
 * with CAP_BPF and CAP_PERFMON, as root loads: every type that falls back
 * on it (XDP, socket filters, tc, ...) gets these. */
bool pt_base_helper_ok(uint32_t id)
{
	switch (id) {
	case BPF_FUNC_map_lookup_elem:
	case BPF_FUNC_map_update_elem:
	case BPF_FUNC_map_delete_elem:
	case BPF_FUNC_map_push_elem:
	case BPF_FUNC_map_pop_elem:
	case BPF_FUNC_map_peek_elem:
	case BPF_FUNC_map_lookup_percpu_elem:
	case BPF_FUNC_get_prandom_u32:
	case BPF_FUNC_get_smp_processor_id:
	case BPF_FUNC_get_numa_node_id:
	case BPF_FUNC_tail_call:
	case BPF_FUNC_ktime_get_ns:
	case BPF_FUNC_ktime_get_boot_ns:
	case BPF_FUNC_ktime_get_tai_ns:
	case BPF_FUNC_ringbuf_output:
	case BPF_FUNC_ringbuf_reserve:
	case BPF_FUNC_ringbuf_submit:
	case BPF_FUNC_ringbuf_discard:
	case BPF_FUNC_ringbuf_query:
	case BPF_FUNC_strncmp:
	case BPF_FUNC_strtol:
	case BPF_FUNC_strtoul:
	case BPF_FUNC_get_current_pid_tgid:
	case BPF_FUNC_get_ns_current_pid_tgid:
	/* CAP_BPF */
	case BPF_FUNC_spin_lock:
	case BPF_FUNC_spin_unlock:
	case BPF_FUNC_jiffies64:
	case BPF_FUNC_per_cpu_ptr:
	case BPF_FUNC_this_cpu_ptr:
	case BPF_FUNC_timer_init:
	case BPF_FUNC_timer_set_callback:
	case BPF_FUNC_timer_start:
	case BPF_FUNC_timer_cancel:
	case BPF_FUNC_kptr_xchg:
	case BPF_FUNC_for_each_map_elem:
	case BPF_FUNC_loop:
	case BPF_FUNC_user_ringbuf_drain:
	case BPF_FUNC_ringbuf_reserve_dynptr:
	case BPF_FUNC_ringbuf_submit_dynptr:
	case BPF_FUNC_ringbuf_discard_dynptr:
	case BPF_FUNC_dynptr_from_mem:
	case BPF_FUNC_dynptr_read:
	case BPF_FUNC_dynptr_write:
	case BPF_FUNC_dynptr_data:
	case BPF_FUNC_get_current_cgroup_id:
	case BPF_FUNC_get_current_ancestor_cgroup_id:
	/* CAP_PERFMON; Linux 6.18 lets every type have these tracing
	 * helpers too (test_kernel_pt_xdp asks the kernel) */
	case BPF_FUNC_get_current_uid_gid:
	case BPF_FUNC_get_current_comm:
	case BPF_FUNC_get_cgroup_classid:
	case BPF_FUNC_perf_event_read:
	case BPF_FUNC_current_task_under_cgroup:
	case BPF_FUNC_perf_event_read_value:
	case BPF_FUNC_send_signal:
	case BPF_FUNC_send_signal_thread:
	case BPF_FUNC_get_task_stack:
	case BPF_FUNC_copy_from_user:
	case BPF_FUNC_task_storage_get:
	case BPF_FUNC_task_storage_delete:
	case BPF_FUNC_get_branch_snapshot:
	case BPF_FUNC_find_vma:
	case BPF_FUNC_copy_from_user_task:
	case BPF_FUNC_trace_printk:
	case BPF_FUNC_get_current_task:
	case BPF_FUNC_get_current_task_btf:
	case BPF_FUNC_probe_read_user:
	case BPF_FUNC_probe_read_kernel:
	case BPF_FUNC_probe_read_user_str:
	case BPF_FUNC_probe_read_kernel_str:
	case BPF_FUNC_snprintf_btf:
	case BPF_FUNC_snprintf:
	case BPF_FUNC_task_pt_regs:
	case BPF_FUNC_trace_vprintk:
		return true;
	default:
		return false;
	}
}

/* Each helper call (src 0) must be one the type allows; ids past the
 * Linux ones are the host's own helpers, allowed to every type. */
static int pt_check_helpers(const struct pt_ops *ops,
			    const struct bpf_insn *insns, size_t cnt,
			    char *log, size_t log_size)
{
	for (size_t i = 0; i < cnt; i++) {
		const struct bpf_insn *in = &insns[i];
		uint32_t id = (uint32_t)in->imm;
		const char *name;

		if (isa_is_lddw(in)) {
			i++;
			continue;
		}
		if (in->code != (BPF_JMP | BPF_CALL) || in->src_reg != 0 ||
		    id >= __BPF_FUNC_MAX_ID || ops->helper_ok(id))
			continue;
		name = isa_linux_helper_name(id);
		if (name)
			return core_logf(log, log_size, -EINVAL,
					 "insn %zu: program type %s may not "
					 "call %s", i, ops->name, name);
		return core_logf(log, log_size, -EINVAL,
				 "insn %zu: program type %s may not call "
				 "helper %u", i, ops->name, id);
	}
	return 0;
}

int pt_prepare_ops(const struct pt_ops *ops, struct bpf_insn *xlated,
		   size_t cnt, uint32_t *ctx_used, char *log, size_t log_size)
{
	int err = pt_check_helpers(ops, xlated, cnt, log, log_size);

	if (err) {
		if (ctx_used)
			*ctx_used = 0;
		return err;
	}
	return ctx_track_run(ops, xlated, cnt, ctx_used, log, log_size);
}

int pt_prog_prepare(enum bpf_prog_type type, struct bpf_insn *xlated,
		    size_t cnt, uint32_t *ctx_used, char *log,
		    size_t log_size)
{
	const struct pt_ops *ops = pt_find(type);

	if (ops)
		return pt_prepare_ops(ops, xlated, cnt, ctx_used, log,
				      log_size);
	if (ctx_used)
		*ctx_used = 0;
	return 0;
}

bool pt_sk_base_helper_ok(uint32_t id)
{
	switch (id) {
	case BPF_FUNC_skc_to_tcp6_sock:
	case BPF_FUNC_skc_to_tcp_sock:
	case BPF_FUNC_skc_to_tcp_timewait_sock:
	case BPF_FUNC_skc_to_tcp_request_sock:
	case BPF_FUNC_skc_to_udp6_sock:
	case BPF_FUNC_skc_to_unix_sock:
	case BPF_FUNC_skc_to_mptcp_sock:
	case BPF_FUNC_ktime_get_coarse_ns:
		return true;
	}
	return pt_base_helper_ok(id);
}
