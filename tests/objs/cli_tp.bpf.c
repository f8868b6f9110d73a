/* A tracepoint program for the CLI tests: bpfvm run refuses it (no
 * packets), bpfvm test-run runs it on a record given as --ctx. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct cli_tp_record {
	__u64 common;		/* the tracepoint's common header */
	__u64 value;
};

SEC("tracepoint/cli/test")
int cli_tp_plus1(struct cli_tp_record *rec)
{
	return (int)rec->value + 1;
}

char LICENSE[] SEC("license") = "GPL";
