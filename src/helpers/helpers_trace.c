/* Built-in helpers: trace group — bpf_trace_printk, bpf_trace_vprintk and
 * bpf_snprintf, with the kernel's format rules (bprintf.c) and results:
 * trace_printk returns the length of the whole message (which the trace
 * buffer keeps up to 1023 bytes), snprintf the length + 1. A format the
 * kernel refuses prints nothing and returns -EINVAL. */
#include <errno.h>

#include <linux/bpf.h>

#include "helpers/helpers.h"
#include "helpers/hlp_priv.h"

#define ERR(e) ((uint64_t)(int64_t)(e))

static uint64_t print_to_trace(const char *fmt, uint32_t fmt_size,
			       const uint64_t *args, uint32_t num_args)
{
	char msg[HLP_BPRINTF_BUF];
	long n = hlp_bprintf(msg, sizeof(msg), fmt, fmt_size, args, num_args);

	if (n >= 0)
		hlp_trace_emit(msg);
	return ERR(n);
}

static uint64_t trace_printk(uint64_t r1, uint64_t r2, uint64_t r3,
			     uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	const uint64_t args[HLP_TRACE_PRINTK_ARGS] = { r3, r4, r5 };

	(void)run;
	return print_to_trace((const char *)(uintptr_t)r1, (uint32_t)r2, args,
			      HLP_TRACE_PRINTK_ARGS);
}

/* An array of u64 arguments: data_len a multiple of 8, at most 12. */
static long array_args(uint64_t data, uint32_t data_len, uint32_t *num)
{
	if (data_len % 8 || data_len > HLP_BPRINTF_VARARGS * 8 ||
	    (data_len && !data))
		return -EINVAL;
	*num = data_len / 8;
	return 0;
}

static uint64_t trace_vprintk(uint64_t r1, uint64_t r2, uint64_t r3,
			      uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	uint32_t num;
	long err = array_args(r3, (uint32_t)r4, &num);

	(void)r5, (void)run;
	if (err)
		return ERR(err);
	return print_to_trace((const char *)(uintptr_t)r1, (uint32_t)r2,
			      (const uint64_t *)(uintptr_t)r3, num);
}

/* The format is a constant string (NUL-terminated, the verifier sees to
 * it in the kernel); str may be NULL with str_size 0. */
static uint64_t snprintf_helper(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	uint32_t num, size = (uint32_t)r2;
	long n = array_args(r4, (uint32_t)r5, &num);

	(void)run;
	if (n)
		return ERR(n);
	if (!r1)
		size = 0;
	n = hlp_bprintf((char *)(uintptr_t)r1, size,
			(const char *)(uintptr_t)r3, SIZE_MAX,
			(const uint64_t *)(uintptr_t)r4, num);
	return n < 0 ? ERR(n) : (uint64_t)n + 1;
}

const struct helper_def hlp_trace[] = {
	{ BPF_FUNC_trace_printk, trace_printk,
	  { .ret = HRET_INTEGER, .gpl_only = 1,
	    .args = { HARG_PTR_TO_MEM, HARG_CONST_SIZE } } },
	{ BPF_FUNC_trace_vprintk, trace_vprintk,
	  { .ret = HRET_INTEGER, .gpl_only = 1,
	    .args = { HARG_PTR_TO_MEM, HARG_CONST_SIZE,
		      HARG_PTR_TO_MEM_OR_NULL, HARG_CONST_SIZE_OR_ZERO } } },
	{ BPF_FUNC_snprintf, snprintf_helper,
	  { .ret = HRET_INTEGER, .gpl_only = 1,
	    .args = { HARG_PTR_TO_MEM_OR_NULL, HARG_CONST_SIZE_OR_ZERO,
		      HARG_PTR_TO_CONST_STR, HARG_PTR_TO_MEM_OR_NULL,
		      HARG_CONST_SIZE_OR_ZERO } } },
	{ 0 },
};
