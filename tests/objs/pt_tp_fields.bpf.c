/* Tracepoint programs reading their record's fields into maps (records
 * laid out as the events' format files say). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* events/raw_syscalls/sys_enter/format: 64 bytes */
struct sys_enter_rec {
	__u64 common;		/* type, flags, preempt count, pid */
	long id;
	unsigned long args[6];
};

/* events/sched/sched_process_exit/format: reads end at byte 32 */
struct process_exit_rec {
	__u64 common;
	char comm[16];
	int pid;
	int prio;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} last SEC(".maps");

/* Counts calls per syscall number; last[0] = args[0] + args[5]. */
SEC("tp/raw_syscalls/sys_enter")
int count_syscalls(struct sys_enter_rec *ctx)
{
	__u32 id = ctx->id, k = 0;
	__u64 one = 1, *v = bpf_map_lookup_elem(&calls, &id);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&calls, &id, &one, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&last, &k);
	if (v)
		*v = ctx->args[0] + ctx->args[5];
	return id;
}

/* last[1] = pid << 32 | prio, last[2] = the first 8 bytes of comm. */
SEC("tracepoint/sched/sched_process_exit")
int process_exit(struct process_exit_rec *ctx)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&last, &k);

	if (!v)
		return 0;
	*v = (__u64)(__u32)ctx->pid << 32 | (__u32)ctx->prio;
	k = 2;
	v = bpf_map_lookup_elem(&last, &k);
	if (v)
		__builtin_memcpy(v, ctx->comm, 8);
	return ctx->pid;
}

char _license[] SEC("license") = "GPL";
