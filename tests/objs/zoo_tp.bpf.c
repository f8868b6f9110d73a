/* The tracepoint hello world (libbpf-bootstrap's minimal.bpf.c shape):
 * bpf_printk from sys_enter_execve, plus a `tp/` short name. The context
 * is the raw record, read past its 8-byte common header (the kernel lets
 * no program read that: the pid comes from bpf_get_current_pid_tgid). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "zoo_trace.h"

int my_pid = 0;

SEC("tracepoint/syscalls/sys_enter_execve")
int handle_execve(struct zoo_sys_enter *ctx)
{
	int pid = bpf_get_current_pid_tgid() >> 32;

	bpf_printk("hello execve from pid %d, nr %ld", pid, ctx->id);
	return pid == my_pid ? 1 : 0;
}

SEC("tp/syscalls/sys_exit_execve")
int handle_exit(struct zoo_sys_exit *ctx)
{
	if (ctx->ret < 0)
		return -ctx->ret;
	return 0;
}

/* Sums the first three syscall arguments (four args: bpf_trace_vprintk). */
SEC("tracepoint/syscalls/sys_enter_write")
int handle_write(struct zoo_sys_enter *ctx)
{
	unsigned long s = ctx->args[0] + ctx->args[1] + ctx->args[2];

	bpf_printk("write %lu %lu %lu sum %lu", ctx->args[0], ctx->args[1],
		   ctx->args[2], s);
	return (int)s;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
