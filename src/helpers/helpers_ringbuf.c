/* Built-in helpers: ringbuf group (see helpers.h): the BPF ring buffer
 * and bpf_perf_event_output. Map arguments are struct bpfvm_map pointers
 * (checked runs: of the program's maps, hlp_map_arg); a map of the wrong
 * type gets -EINVAL / NULL rather than a crash (the verifier refuses such
 * programs anyway). */
#include <errno.h>
#include <string.h>

#include "engine/run.h"
#include "helpers/helpers.h"
#include "helpers/hlp_priv.h"
#include "maps/perf_event.h"
#include "maps/ringbuf.h"
#include "progtypes/xdp_ctx.h"

static struct ringbuf_map *hlp_ringbuf_of(struct bpfvm_run *run, uint64_t map,
					  const char *helper)
{
	struct bpfvm_map *m = hlp_map_arg(run, map, helper, 1);

	return m ? ringbuf_of(m) : NULL;
}

/* long bpf_ringbuf_output(void *ringbuf, void *data, u64 size, u64 flags) */
static uint64_t hlp_ringbuf_output(uint64_t map, uint64_t data, uint64_t size,
				   uint64_t flags, uint64_t r5,
				   struct bpfvm_run *run)
{
	struct ringbuf_map *rb = hlp_ringbuf_of(run, map, "bpf_ringbuf_output");
	void *rec;

	(void)r5;
	if (!rb || (flags & ~(uint64_t)(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)))
		return (uint64_t)-EINVAL;
	rec = ringbuf_reserve(rb, size);
	if (!rec)
		return (uint64_t)-EAGAIN;
	memcpy(rec, (const void *)(uintptr_t)data, size);
	ringbuf_commit(rec, flags, false);
	return 0;
}

/* void *bpf_ringbuf_reserve(void *ringbuf, u64 size, u64 flags) */
static uint64_t hlp_ringbuf_reserve(uint64_t map, uint64_t size,
				    uint64_t flags, uint64_t r4, uint64_t r5,
				    struct bpfvm_run *run)
{
	struct ringbuf_map *rb = hlp_ringbuf_of(run, map, "bpf_ringbuf_reserve");

	(void)r4, (void)r5;
	if (!rb || flags)
		return 0;
	return (uint64_t)(uintptr_t)ringbuf_reserve(rb, size);
}

/* void bpf_ringbuf_submit(void *data, u64 flags); data from reserve (the
 * verifier's reference tracking guarantees it). */
static uint64_t hlp_ringbuf_submit(uint64_t data, uint64_t flags, uint64_t r3,
				   uint64_t r4, uint64_t r5,
				   struct bpfvm_run *run)
{
	(void)r3, (void)r4, (void)r5, (void)run;
	if (data)
		ringbuf_commit((void *)(uintptr_t)data, flags, false);
	return 0;
}

/* void bpf_ringbuf_discard(void *data, u64 flags) */
static uint64_t hlp_ringbuf_discard(uint64_t data, uint64_t flags,
				    uint64_t r3, uint64_t r4, uint64_t r5,
				    struct bpfvm_run *run)
{
	(void)r3, (void)r4, (void)r5, (void)run;
	if (data)
		ringbuf_commit((void *)(uintptr_t)data, flags, true);
	return 0;
}

/* u64 bpf_ringbuf_query(void *ringbuf, u64 flags) */
static uint64_t hlp_ringbuf_query(uint64_t map, uint64_t flags, uint64_t r3,
				  uint64_t r4, uint64_t r5,
				  struct bpfvm_run *run)
{
	struct ringbuf_map *rb = hlp_ringbuf_of(run, map, "bpf_ringbuf_query");

	(void)r3, (void)r4, (void)r5;
	return rb ? ringbuf_query(rb, flags) : 0;
}

/* long bpf_perf_event_output(void *ctx, struct bpf_map *map, u64 flags,
 *			      void *data, u64 size): the tracing form (flags
 * hold only the index; no BPF_F_CTXLEN_MASK); XDP programs' appends
 * packet bytes (xdp_event_output). */
static uint64_t hlp_perf_event_output(uint64_t ctx, uint64_t map,
				      uint64_t flags, uint64_t data,
				      uint64_t size, struct bpfvm_run *run)
{
	struct bpfvm_map *m = hlp_map_arg(run, map, "bpf_perf_event_output", 2);

	if (!m)
		return (uint64_t)-EINVAL;
	if (run && bpfvm_prog_type(run->prog) == BPF_PROG_TYPE_XDP)
		return (uint64_t)xdp_event_output(run, ctx, m, flags,
						  (const void *)(uintptr_t)data,
						  size);
	return (uint64_t)perf_array_output(m, flags,
					   (const void *)(uintptr_t)data,
					   size);
}

#define PROTO(r, ...) { .ret = (r), .args = { __VA_ARGS__ } }

const struct helper_def hlp_ringbuf[] = {
	{ BPF_FUNC_ringbuf_output, hlp_ringbuf_output,
	  PROTO(HRET_INTEGER, HARG_CONST_MAP_PTR, HARG_PTR_TO_MEM,
		HARG_CONST_SIZE_OR_ZERO, HARG_ANYTHING) },
	{ BPF_FUNC_ringbuf_reserve, hlp_ringbuf_reserve,
	  PROTO(HRET_MEM_OR_NULL, HARG_CONST_MAP_PTR,
		HARG_CONST_ALLOC_SIZE_OR_ZERO, HARG_ANYTHING) },
	{ BPF_FUNC_ringbuf_submit, hlp_ringbuf_submit,
	  PROTO(HRET_VOID, HARG_PTR_TO_RINGBUF_MEM, HARG_ANYTHING) },
	{ BPF_FUNC_ringbuf_discard, hlp_ringbuf_discard,
	  PROTO(HRET_VOID, HARG_PTR_TO_RINGBUF_MEM, HARG_ANYTHING) },
	{ BPF_FUNC_ringbuf_query, hlp_ringbuf_query,
	  PROTO(HRET_INTEGER, HARG_CONST_MAP_PTR, HARG_ANYTHING) },
	/* GPL-only in the kernel (bpf_trace.c). */
	{ BPF_FUNC_perf_event_output, hlp_perf_event_output,
	  { .ret = HRET_INTEGER,
	    .args = { HARG_PTR_TO_CTX, HARG_CONST_MAP_PTR, HARG_ANYTHING,
		      HARG_PTR_TO_MEM, HARG_CONST_SIZE_OR_ZERO },
	    .gpl_only = 1 } },
	{ 0 },
};
