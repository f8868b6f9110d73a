/* Load test object: CO-RE relocations against the target BTF load
 * chooses (ll_core_target.bpf.c has the target's struct ll_task).
 * test_loader_load.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct ll_task {
	int pad;
	int pid;
} __attribute__((preserve_access_index));

SEC("xdp") int core_off(void *ctx)
{
	return bpf_core_field_offset(struct ll_task, pid);
}

SEC("xdp") int core_exists(void *ctx)
{
	return bpf_core_field_exists(struct ll_task, pid);
}

char LICENSE[] SEC("license") = "GPL";
