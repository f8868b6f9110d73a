/* examples/tp_hello.bpf.c: the host defines the event
 * "syscalls/sys_enter_execve" with the tracepoint's record (the format
 * file's 40 bytes: 8-byte common header, __syscall_nr, padding,
 * filename, argv, envp), the object's program attaches to it by its
 * section name, and firing it prints the greeting with the record's
 * syscall number to the trace pipe, on both engines. A record of the
 * wrong size is refused, and an object naming an undefined event does
 * not attach. */
#include <errno.h>
#include <linux/bpf.h>

#include "check.h"
#include "ex_util.h"

#define EXECVE_RECORD 40

struct execve_record {
	uint64_t common;
	int32_t syscall_nr;
	uint32_t pad;
	uint64_t filename, argv, envp;
};

int main(void)
{
	struct bpfvm_event_opts eo = { .sz = sizeof(eo),
				       .type = BPF_PROG_TYPE_TRACEPOINT,
				       .size = EXECVE_RECORD };
	struct execve_record rec = { .syscall_nr = 59 };
	struct bpfvm_env *env = NULL;
	struct bpfvm_event *ev = NULL;
	struct bpfvm_object *obj;
	char log[512] = "", buf[4096];
	long got;

	CHECK(sizeof(rec) == EXECVE_RECORD);
	CHECK(bpfvm_env_create(&env) == 0);
	obj = ex_open("tp_hello");
	CHECK(obj && ex_load(obj, env) == 0);
	if (!env || !obj)
		return check_report();
	/* nothing defined yet: the section's event is missing */
	CHECK_EQ_U64(bpfvm_object_attach_events(obj, env, log, sizeof(log)),
		     (uint64_t)-ENOENT);
	CHECK(bpfvm_event_define(env, "syscalls/sys_enter_execve", &eo, &ev) ==
	      0);
	CHECK_EQ_U64(bpfvm_object_attach_events(obj, env, log, sizeof(log)),
		     1);
	bpfvm_trace_clear();
	for (int eng = 0; ev && eng < 2; eng++) {
		struct bpfvm_event_fire_opts fo = { .sz = sizeof(fo),
						    .engine = ex_engines[eng] };

		CHECK(bpfvm_event_fire(ev, &rec, sizeof(rec), &fo) == 0);
		CHECK_EQ_U64(fo.runs, 1);
		CHECK_EQ_U64(fo.errors, 0);
		got = bpfvm_trace_read(buf, sizeof(buf) - 1, 1000);
		CHECK(got > 0);
		buf[got > 0 ? got : 0] = '\0';
		CHECK(strstr(buf, "bpf_trace_printk: Hello world! execve "
				  "(syscall 59)\n") != NULL);
		if (!strstr(buf, "Hello world"))
			fprintf(stderr, "trace: '%s'\n", buf);
		CHECK_EQ_U64(bpfvm_event_fire(ev, &rec, 32, &fo),
			     (uint64_t)-EINVAL);
	}
	bpfvm_object_close(obj);
	bpfvm_env_free(env);
	return check_report();
}
