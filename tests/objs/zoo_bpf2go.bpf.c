/* cilium/ebpf bpf2go style: a ring buffer and a perf event array that
 * declare key / value types (so bpf2go can generate Go types for them),
 * the perf array with max_entries 0 (libbpf sizes it to the CPU count
 * at load), and a kprobe that fills an event. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u32 pid;
	__u32 kind;
	__u64 value;
	char comm[16];
};

/* unused but kept in BTF, as bpf2go's -type flags want */
const struct event *unused_event __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
	__type(value, struct event);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 0);
} perf_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__type(key, int);
	__type(value, __u32);
} perf_typed SEC(".maps");

/* Reserves an event from the ring, fills it from ctx and submits; also
 * writes it to the perf array. Returns the value it sent. */
SEC("kprobe/do_unlinkat")
int kprobe_unlink(__u64 *ctx)
{
	struct event *e, pe = {};

	pe.kind = 2;
	pe.value = ctx[0];
	bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &pe,
			      sizeof(pe));
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return -1;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->kind = 1;
	e->value = ctx[0];
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return (int)ctx[0];
}

char __license[] SEC("license") = "Dual MIT/GPL";
