/* Target BTF for the CO-RE tests (issue 5): its .BTF describes the
 * types of core_target.h; the code only makes clang emit them. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "core_target.h"

struct core_a core_a_var;
core_a_t core_a_t_var;
struct core_b core_b_var;
enum core_e core_e_var;
struct core_flex flex_var;
struct core_agree___1 agree_1;
struct core_agree___2 agree_2;
struct core_amb___1 amb_1;
struct core_amb___2 amb_2;

SEC("xdp")
int target_dummy(struct xdp_md *ctx)
{
	return core_a_var.x + core_b_var.q + (int)core_e_var + agree_1.f +
	       agree_2.f + amb_1.f + amb_2.f + core_a_t_var.x + flex_var.n;
}

char LICENSE[] SEC("license") = "GPL";
