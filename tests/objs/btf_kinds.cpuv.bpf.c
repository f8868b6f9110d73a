/* Every BTF kind clang emits, for the BTF tests (test_btf_*): bitfields,
 * enums (signed, 64-bit), unions, anonymous members, function pointers,
 * typedef chains, const/volatile/restrict, float, decl and type tags,
 * variables and sections, a packed struct, a self-referencing list. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __ttag(x) __attribute__((btf_type_tag(x)))

enum colour { RED, GREEN = 5, BLUE = -3 };
enum big { BIG_SMALL = 1, BIG_HUGE = 0x123456789abcdefULL };

typedef unsigned int u32_t;
typedef u32_t u32_alias;
typedef const volatile u32_alias cv_u32;

struct node;
typedef struct node node_t;

struct node {
	node_t *next;
	struct node *prev;
	int value;
};

struct bits {
	unsigned int a : 3;
	unsigned int b : 5;
	int c : 7;
	enum colour col : 4;
	unsigned long long wide : 40;
	char tail;
};

struct __attribute__((packed)) packed {
	char c;
	int i;
	long long l;
};

typedef int (*binop_t)(int, int);

struct kinds {
	union {
		int as_int;
		float as_float;
	};
	struct {
		short x, y;
	} point;
	binop_t op;
	void (*cb)(struct kinds *self, const char *restrict msg, ...);
	int matrix[3][4];
	struct node *list;
	cv_u32 flags;
	double d;
	enum colour colour;
	enum big big;
	struct bits bits;
	struct packed packed;
	int __ttag("user") *user_ptr;
	char *const *restrict argv;
	unsigned __int128 u128;
	int tagged __tag("member_tag");
	char flex[];
} __tag("struct_tag");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct kinds);
	__uint(max_entries, 1);
} kinds_map SEC(".maps");

int counter = 1;
const volatile long limit = 10;
static volatile float scale;
volatile float *scale_p;

static __attribute__((noinline)) int __tag("func_tag")
combine(struct kinds *k __tag("arg_tag"), int v)
{
	return k ? k->matrix[1][2] + v : v;
}

SEC("xdp")
int btf_kinds(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct kinds *k = bpf_map_lookup_elem(&kinds_map, &key);

	scale_p = &scale;
	counter++;
	if (!k)
		return XDP_PASS;
	return combine(k, (int)limit + k->bits.c + k->point.x) ? XDP_PASS
							       : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
