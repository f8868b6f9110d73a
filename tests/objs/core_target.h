/* CO-RE target types (issue 5 tests): what "the kernel" has, against
 * which core_local.bpf.c's own definitions are relocated. Included by
 * core_target_a.bpf.c (its .BTF is the target) and by the host tests
 * (tests/unit/test_core_*.c) for offsetof / sizeof / bitfield values:
 * both ABIs lay these out alike (LP64, little endian). Against the
 * local view: members moved, renamed or missing, narrower integers,
 * wider bitfields, members inside anonymous structs and unions,
 * enumerators with other values, a type under another flavor. */
#ifndef CORE_TARGET_H
#define CORE_TARGET_H

struct core_a {
	long pad0;
	char z;
	unsigned short u_shrink;	/* local: unsigned int */
	short s_shrink;			/* local: int */
	struct {
		int in_b;
		union {
			int in_a;
			int in_other;
		};
	};
	unsigned int pad_bf : 7;
	unsigned int bf_u : 3;
	int bf_s : 9;			/* local: 5 bits */
	unsigned long long bf_wide : 40;
	long y;
	int x;
	int arr[8];			/* local: 4 */
	void *ptr;
	/* no `gone` */
};

typedef struct core_a core_a_t;

/* the local program calls it core_b___v2 */
struct core_b {
	int r;
	int q;
	int extra;
};

enum core_e {
	CE_TWO = 20,
	CE_ONE = 10,
	/* no CE_GONE */
};

/* A flexible array member at the end (its index is not bounded). */
struct core_flex {
	long pad;
	int n;
	int data[];
};

/* Flavors that agree on where `f` is, and flavors that do not. */
struct core_agree___1 { int f; int g; };
struct core_agree___2 { int f; long h; };
struct core_amb___1 { int f; };
struct core_amb___2 { long pad; int f; };

#endif
