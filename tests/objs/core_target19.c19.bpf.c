/* Target BTF for tests/unit/test_core_c19.c (issue 5): a struct that
 * matches the local one (plus a member), one whose member's type
 * differs, 64-bit enumerators, a local 32-bit enum that is enum64 here. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct core_m {
	int a;
	long b;
	struct core_m *next;
	int extra;
};

struct core_nm {
	long a;
};

enum core_e64 { E64_BIG = 0x1234567890ULL, E64_SMALL = 5 };
enum core_e32 { E32_A = 0x77, E32_WIDE = 0x100000000ULL };

struct core_m m_var;
struct core_nm nm_var;
enum core_e64 e64_var;
enum core_e32 e32_var;

SEC("xdp")
int target19_dummy(struct xdp_md *ctx)
{
	return m_var.a + nm_var.a + (int)e64_var + (int)e32_var;
}

char LICENSE[] SEC("license") = "GPL";
