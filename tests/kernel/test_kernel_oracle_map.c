/* The kernel oracle's map mode (memory in an array map's value) and its
 * repeated calls: r0 and the memory must make the round trip through
 * BPF_MAP_UPDATE_ELEM / the program / BPF_MAP_LOOKUP_ELEM intact, at sizes
 * a packet cannot hold too. Exits 77 (SKIP) where bpf() cannot be used. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_oracle.h"

#define SKIP 77

static int failures;

#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);  \
			fprintf(stderr, __VA_ARGS__);                         \
			fprintf(stderr, "\n");                                \
			failures++;                                           \
		}                                                             \
	} while (0)

#define INSN(c, d, s, o, i)                                                   \
	{ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) }

/* Swaps the first two u64 words, adds 1 to the byte at len - 1 and
 * returns a full 64-bit value (the first word + 0x1122334455667788), so a
 * lost upper half of r0 shows. Bounds-checked against r2 like the bench
 * programs, and the verifier must follow that for a map value. */
static const struct bpf_insn swap_prog[] = {
	INSN(BPF_LD | BPF_DW | BPF_IMM, 0, 0, 0, 0x55667788),
	INSN(0, 0, 0, 0, 0x11223344),
	INSN(BPF_JMP | BPF_JLT | BPF_K, 2, 0, 10, 16),
	INSN(BPF_LDX | BPF_DW | BPF_MEM, 3, 1, 0, 0),
	INSN(BPF_LDX | BPF_DW | BPF_MEM, 4, 1, 8, 0),
	INSN(BPF_STX | BPF_DW | BPF_MEM, 1, 4, 0, 0),
	INSN(BPF_STX | BPF_DW | BPF_MEM, 1, 3, 8, 0),
	INSN(BPF_ALU64 | BPF_ADD | BPF_X, 0, 3, 0, 0),
	INSN(BPF_ALU64 | BPF_ADD | BPF_X, 1, 2, 0, 0),
	INSN(BPF_LDX | BPF_B | BPF_MEM, 5, 1, -1, 0),
	INSN(BPF_ALU64 | BPF_ADD | BPF_K, 5, 0, 0, 1),
	INSN(BPF_STX | BPF_B | BPF_MEM, 1, 5, -1, 0),
	INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
};
#define SWAP_CNT (sizeof(swap_prog) / sizeof(swap_prog[0]))

/* r0 = r1 + r2: 0 when the wrapper passes no memory. */
static const struct bpf_insn sum_args[] = {
	INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 0, 0),
	INSN(BPF_ALU64 | BPF_ADD | BPF_X, 0, 2, 0, 0),
	INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
};

/* Reads the byte after the map value (24 bytes of memory + the r0 slot:
 * the slot itself is in bounds for the verifier, as in packet mode): the
 * verifier must know the value's size and refuse. */
static const struct bpf_insn past_end[] = {
	INSN(BPF_ALU64 | BPF_ADD | BPF_X, 1, 2, 0, 0),
	INSN(BPF_LDX | BPF_B | BPF_MEM, 0, 1, 8, 0),
	INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
};

static struct kernel_oracle_opts opts(enum kernel_oracle_mem kind,
				      uint32_t calls, char *err, size_t size)
{
	return (struct kernel_oracle_opts){
		.sz = sizeof(struct kernel_oracle_opts),
		.err_buf = err,
		.err_size = size,
		.mem_kind = kind,
		.calls = calls,
	};
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* swap_prog on `len` bytes of a pattern, run `calls` times. */
static void check_swap(enum kernel_oracle_mem kind, size_t len,
		       uint32_t calls)
{
	uint8_t *mem = malloc(len), *want = malloc(len);
	char err[256] = "";
	struct kernel_oracle_opts o = opts(kind, calls, err, sizeof(err));
	enum kernel_oracle_status st;
	uint64_t r0 = 0, w0, w1;

	if (!mem || !want) {
		CHECK(0, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < len; i++)
		mem[i] = want[i] = (uint8_t)(i * 7 + 3);
	w0 = get_u64(want);
	w1 = get_u64(want + 8);
	/* An odd number of calls leaves the words swapped. */
	memcpy(want, calls % 2 ? &w1 : &w0, 8);
	memcpy(want + 8, calls % 2 ? &w0 : &w1, 8);
	want[len - 1] = (uint8_t)(want[len - 1] + calls);
	st = kernel_oracle_run(swap_prog, SWAP_CNT, mem, len, &r0, &o);
	CHECK(st == KERNEL_ORACLE_OK, "kind %d, %zu bytes, %u calls: %s (%s)",
	      (int)kind, len, calls, kernel_oracle_status_str(st), err);
	if (st != KERNEL_ORACLE_OK)
		goto out;
	CHECK(r0 == (calls % 2 ? w0 : w1) + 0x1122334455667788ull,
	      "kind %d, %zu bytes, %u calls: r0 %#llx", (int)kind, len, calls,
	      (unsigned long long)r0);
	CHECK(!memcmp(mem, want, len), "kind %d, %zu bytes, %u calls: memory "
	      "differs", (int)kind, len, calls);
out:
	free(mem);
	free(want);
}

static void check_no_mem(void)
{
	char err[256] = "";
	struct kernel_oracle_opts o = opts(KERNEL_ORACLE_MEM_MAP, 1, err,
					   sizeof(err));
	uint64_t r0 = 1;

	CHECK(kernel_oracle_run(sum_args, 3, NULL, 64, &r0, &o) ==
		      KERNEL_ORACLE_OK && r0 == 0,
	      "no memory: r0 %llu (%s)", (unsigned long long)r0, err);
}

static void check_past_end(void)
{
	char err[256] = "", log[4096] = "";
	struct kernel_oracle_opts o = opts(KERNEL_ORACLE_MEM_MAP, 1, err,
					   sizeof(err));
	uint8_t mem[24] = { 0 };
	uint64_t r0;

	o.log_buf = log;
	o.log_size = sizeof(log);
	CHECK(kernel_oracle_run(past_end, 3, mem, sizeof(mem), &r0, &o) ==
		      KERNEL_ORACLE_REJECTED,
	      "a read past the map memory was not rejected (%s)", err);
	CHECK(strstr(log, "map_value"), "the log does not talk about the "
	      "map value:\n%s", log);
}

int main(void)
{
	static const size_t sizes[] = { 16, 21, 3000, 10001, 2u << 20 };
	char why[256];

	if (!kernel_oracle_available(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		return SKIP;
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_swap(KERNEL_ORACLE_MEM_MAP, sizes[i], 1);
	check_swap(KERNEL_ORACLE_MEM_MAP, 21, 3);
	check_swap(KERNEL_ORACLE_MEM_MAP, 64, 64);
	check_swap(KERNEL_ORACLE_MEM_PACKET, 21, 1);
	check_swap(KERNEL_ORACLE_MEM_PACKET, 21, 4);
	check_swap(KERNEL_ORACLE_MEM_PACKET, KERNEL_ORACLE_MAX_MEM, 5);
	check_no_mem();
	check_past_end();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("ok\n");
	return 0;
}
