/* The tracepoint records the zoo's tracing programs read (the layout of
 * /sys/kernel/tracing/events/syscalls/sys_enter_* /format), declared
 * here so the objects need no vmlinux.h; the host tests share it. */
#ifndef ZOO_TRACE_H
#define ZOO_TRACE_H

struct zoo_sys_enter {
	unsigned short common_type;
	unsigned char common_flags;
	unsigned char common_preempt_count;
	int common_pid;
	long id;
	unsigned long args[6];
};

struct zoo_sys_exit {
	unsigned short common_type;
	unsigned char common_flags;
	unsigned char common_preempt_count;
	int common_pid;
	long id;
	long ret;
};

#endif
