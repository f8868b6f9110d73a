/* The CO-RE target of ll_core.bpf.c: another layout of struct ll_task
 * (pid at byte 16). test_loader_load.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct ll_task {
	long a;
	long b;
	int pid;
};

SEC("xdp") int target_dummy(struct ll_task *t)
{
	return t->pid;
}

char LICENSE[] SEC("license") = "GPL";
