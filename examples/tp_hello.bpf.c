// SPDX-License-Identifier: GPL-2.0
/* The hello world of eBPF tracing: every execve() prints a line to the
 * trace pipe (/sys/kernel/tracing/trace_pipe; `bpfvm trace-pipe`). The
 * record layout is the tracepoint's format file
 * (events/syscalls/sys_enter_execve/format). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sys_enter_execve_args {
	__u64 common;		/* type, flags, preempt count, pid */
	__s32 syscall_nr;
	__u32 pad;
	const char *filename;
	const char *const *argv;
	const char *const *envp;
};

SEC("tracepoint/syscalls/sys_enter_execve")
int bpf_prog(struct sys_enter_execve_args *ctx)
{
	char msg[] = "Hello world! execve (syscall %d)";

	bpf_trace_printk(msg, sizeof(msg), ctx->syscall_nr);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
