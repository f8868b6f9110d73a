/* CO-RE relocations of every kind clang 14 emits (issue 5 tests): the
 * program's own view of the types, relocated against core_target_a's
 * .BTF (core_target.h) by tests/unit/test_core_reloc.c. One section
 * per group so a test can relocate one group alone. */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define CORE __attribute__((preserve_access_index))
/* libbpf 1.1's bpf_core_read.h has no bpf_core_field_signed yet */
#define core_field_signed(f) __builtin_preserve_field_info(f, BPF_FIELD_SIGNED)

struct core_a {
	int x;
	long y;
	char z;
	unsigned int bf_u : 3;
	int bf_s : 5;
	unsigned long long bf_wide : 40;
	struct {
		int in_a;
		int in_b;
	};
	int arr[4];
	unsigned int u_shrink;
	int s_shrink;
	int gone;
	void *ptr;
} CORE;

typedef struct core_a core_a_t;
typedef struct core_a core_a_nowhere_t;	/* no such typedef in the target */

struct core_b___v2 {
	int q;
	int r;
} CORE;

struct core_gone {
	int a;
} CORE;

enum core_e { CE_ONE = 1, CE_TWO = 2, CE_GONE = 3 };

struct core_flex {
	int n;
	int data[];
} CORE;

struct core_agree {
	int f;
} CORE;

struct core_amb {
	int f;
} CORE;

/* Direct loads: the LDX offsets (and sizes) are relocated. */
SEC("tp/core_loads")
long core_loads(struct core_a *p)
{
	struct core_b___v2 *b = (void *)p;

	return p->x + p->y + p->z + p->in_a + p->in_b + p->arr[2] +
	       p->u_shrink + (long)p->ptr + b->q + b->r;
}

/* A flexible array: any index. */
SEC("tp/core_flex")
long core_flex(struct core_flex *f)
{
	return f->n + f->data[5];
}

/* Loads the target cannot satisfy: poisoned. */
SEC("tp/core_poison")
long core_poison(struct core_a *p)
{
	return p->s_shrink + p->gone;
}

/* Field facts as constants (ALU imm). */
SEC("tp/core_fields")
long core_fields(struct core_a *p)
{
	long r = 0;

	r += bpf_core_field_exists(p->x);
	r += bpf_core_field_exists(p->gone) << 1;
	r += bpf_core_field_size(p->y) << 2;
	r += bpf_core_field_size(p->u_shrink) << 6;
	r += bpf_core_field_size(p->arr) << 10;
	r += bpf_core_field_size(p->arr[1]) << 16;
	r += core_field_signed(p->bf_s) << 20;
	r += core_field_signed(p->bf_u) << 21;
	r += core_field_signed(p->x) << 22;
	r += core_field_signed(p->u_shrink) << 23;
	r += (long)__builtin_preserve_field_info(p->in_b,
						 BPF_FIELD_BYTE_OFFSET) << 24;
	return r;
}

/* Bitfields read the libbpf way: offset, size, shifts, sign. */
SEC("tp/core_bitfields")
long core_bitfields(struct core_a *a)
{
	return BPF_CORE_READ_BITFIELD(a, bf_u) +
	       BPF_CORE_READ_BITFIELD(a, bf_s) +
	       BPF_CORE_READ_BITFIELD(a, bf_wide);
}

/* Type facts. */
SEC("tp/core_types")
long core_types(void *ctx)
{
	long r = 0;

	r += bpf_core_type_exists(struct core_a);
	r += bpf_core_type_exists(struct core_gone) << 1;
	r += bpf_core_type_exists(core_a_t) << 2;
	r += bpf_core_type_exists(core_a_nowhere_t) << 3;
	r += bpf_core_type_size(struct core_a) << 4;
	r += bpf_core_type_size(struct core_gone) << 12;
	r += bpf_core_type_size(struct core_b___v2) << 16;
	r += (long)bpf_core_type_id_kernel(struct core_a) << 24;
	r += (long)bpf_core_type_id_kernel(struct core_gone) << 32;
	r += (long)bpf_core_type_id_local(struct core_a) << 40;
	return r;
}

/* Enumerators. */
SEC("tp/core_enums")
long core_enums(void *ctx)
{
	long r = 0;

	r += bpf_core_enum_value_exists(enum core_e, CE_ONE);
	r += bpf_core_enum_value_exists(enum core_e, CE_GONE) << 1;
	r += bpf_core_enum_value(enum core_e, CE_ONE) << 2;
	r += bpf_core_enum_value(enum core_e, CE_TWO) << 10;
	return r;
}

/* Enumerator missing in the target: its value poisons. */
SEC("tp/core_enum_gone")
long core_enum_gone(void *ctx)
{
	return bpf_core_enum_value(enum core_e, CE_GONE);
}

/* Several target flavors: agreeing ones are fine, others an error. */
SEC("tp/core_agree")
long core_agree(struct core_agree *p)
{
	return p->f;
}

SEC("tp/core_amb")
long core_amb(struct core_amb *p)
{
	return p->f;
}

char LICENSE[] SEC("license") = "GPL";
