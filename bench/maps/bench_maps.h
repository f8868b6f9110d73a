/* bpfvm-bench-maps: rows of map operations timed through bpfvm and
 * through the kernel's bpf(), side by side.
 *
 * A row owns its maps: setup creates them (both sides, or only bpfvm's
 * when the kernel is unavailable), vm / kernel run `n` operations and
 * return 0 or -errno, teardown frees. The driver times the calls and
 * prints ns/op and kernel/bpfvm. Rows live in tables (user_rows.c: the
 * user-space API); program-side rows (lookups from BPF programs run by
 * bpfvm vs BPF_PROG_TEST_RUN) go in another table, named in main.c. */
#ifndef BPFVM_BENCH_MAPS_H
#define BPFVM_BENCH_MAPS_H

#include <stdbool.h>
#include <stdint.h>

struct bpfvm_map;

struct map_bench_ctx {
	bool kernel;		/* kernel column wanted and available */
	struct bpfvm_map *vm;	/* the row's bpfvm map */
	int kfd;		/* the row's kernel map, or -1 */
	void *priv;		/* anything else the row keeps */
};

struct map_bench_row {
	const char *name;
	int (*setup)(struct map_bench_ctx *c);
	int (*vm)(struct map_bench_ctx *c, uint64_t n);
	int (*kernel)(struct map_bench_ctx *c, uint64_t n);
	void (*teardown)(struct map_bench_ctx *c);
};

/* Tables end with a row whose name is NULL. */
extern const struct map_bench_row map_bench_user_rows[];
extern const struct map_bench_row map_bench_hash_rows[];

/* Shared by rows: both maps of one shape (kernel only if c->kernel),
 * filled with values for keys 0..fill-1 (keys are u32 for key_size 4,
 * u64 for 8). */
int map_bench_pair(struct map_bench_ctx *c, int type, uint32_t key_size,
		   uint32_t value_size, uint32_t max_entries, uint32_t fill);
void map_bench_pair_free(struct map_bench_ctx *c);
/* The two maps alone: bpfvm's (0 or -errno) and, when kfd is not NULL,
 * the kernel's (*kfd: its fd or -errno, not an error here). */
int map_bench_twin(int type, uint32_t key_size, uint32_t value_size,
		   uint32_t max_entries, uint32_t map_flags,
		   struct bpfvm_map **vm, int *kfd);

#endif
