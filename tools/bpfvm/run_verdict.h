/* What a packet program's return value means, by program type, as the
 * kernel acts on it: XDP actions, tc's TC_ACT_* and the socket filter's
 * length, plus where a redirect sends the packet. */
#ifndef BPFVM_CLI_RUN_VERDICT_H
#define BPFVM_CLI_RUN_VERDICT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <bpfvm/test_run.h>

struct run_verdict {
	const char *name;	/* "pass", "drop", "redirect", ... */
	char port[40];		/* a redirect's target ("dev3"), else "" */
	bool carries;		/* the packet goes out: write it */
	uint32_t out_len;	/* bytes of the output that go out */
	/* The bytes that go out are the input's (socket filters cannot
	 * change the packet, only cut it), not data_out's. */
	bool out_is_input;
};

/* The types bpfvm run feeds packets: XDP, socket filter, tc. */
bool run_verdict_type_ok(enum bpf_prog_type type);
/* The test_run flags a runner uses for this type (socket filters see the
 * packet from its Ethernet header, as tcpdump's filters do). */
uint32_t run_verdict_flags(enum bpf_prog_type type);
/* The verdicts every run of this type reports, even at 0, in order;
 * NULL-terminated. */
const char *const *run_verdict_names(enum bpf_prog_type type);

/* The verdict of a test run that returned 0 (o: after the call; in_len:
 * the input's length, data_size_out the output's). */
void run_verdict_of(enum bpf_prog_type type,
		    const struct bpfvm_test_run_opts *o, uint32_t in_len,
		    struct run_verdict *v);

#endif
