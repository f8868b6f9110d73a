/* CO-RE relocations only clang 15+ emits (issue 5 tests): TYPE_MATCHES
 * and 64-bit enumerators, relocated against core_target19's .BTF by
 * tests/unit/test_core_c19.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define CORE __attribute__((preserve_access_index))

struct core_m {
	int a;
	long b;
	struct core_m *next;
} CORE;

struct core_nm {
	int a;
} CORE;

enum core_e64 { E64_SMALL = 1, E64_BIG = 0x100000000ULL };
enum core_e32 { E32_A = 1 };

SEC("tp/core_c19")
long core_c19(void *ctx)
{
	long r = 0;

	r += bpf_core_type_matches(struct core_m);
	r += bpf_core_type_matches(struct core_nm) << 1;
	r += bpf_core_type_exists(struct core_nm) << 2;
	r += bpf_core_enum_value(enum core_e64, E64_BIG);
	r += bpf_core_enum_value(enum core_e64, E64_SMALL) << 8;
	r += bpf_core_enum_value(enum core_e32, E32_A) << 16;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
