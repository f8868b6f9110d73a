/* Built-in helpers: probe group — bpf_probe_read{,_user,_kernel}{,_str}.
 * bpfvm has one address space, so "user" and "kernel" memory are both the
 * process's; the flavours differ only where the kernel's results do on
 * x86-64: the kernel forms (and probe_read above the user half) refuse a
 * non-canonical address with -ERANGE, everything unmapped is -EFAULT. A
 * failed read zeroes the whole destination, as the kernel's helpers do.
 * (The kernel also refuses user-half addresses in the _kernel forms with
 * -ERANGE; here those are the program's memory and read normally.) */
#include <errno.h>
#include <string.h>

#include <linux/bpf.h>

#include "helpers/helpers.h"
#include "helpers/hlp_priv.h"

#define ERR(e) ((uint64_t)(int64_t)(e))

static long read_mem(void *dst, uint32_t size, uint64_t src, bool kernel)
{
	long err = 0;

	if (kernel && !hlp_addr_canonical(src))
		err = -ERANGE;
	else if (size)
		err = hlp_read_safe(dst, src, size);
	if (err && size)
		memset(dst, 0, size);
	return err;
}

/* Length including the NUL; size 0 reads nothing and returns 0. */
static long read_str(char *dst, uint32_t size, uint64_t src, bool kernel)
{
	long n;

	if (!size)
		return 0;
	n = kernel && !hlp_addr_canonical(src)
		    ? -ERANGE
		    : hlp_strncpy_safe(dst, src, size);
	if (n < 0)
		memset(dst, 0, size);
	return n;
}

/* The legacy forms pick the flavour by address, as x86-64's kernel does
 * (user half: user copy). */
static bool legacy_is_kernel(uint64_t src)
{
	return src >> 47 != 0;
}

#define PROBE(name, call, kern)                                              \
	static uint64_t name(uint64_t r1, uint64_t r2, uint64_t r3,         \
			     uint64_t r4, uint64_t r5, struct bpfvm_run *run)\
	{                                                                    \
		(void)r4, (void)r5, (void)run;                               \
		return ERR(call((void *)(uintptr_t)r1, (uint32_t)r2, r3,     \
				kern));                                      \
	}

PROBE(probe_read, read_mem, legacy_is_kernel(r3))
PROBE(probe_read_user, read_mem, false)
PROBE(probe_read_kernel, read_mem, true)
PROBE(probe_read_str, read_str, legacy_is_kernel(r3))
PROBE(probe_read_user_str, read_str, false)
PROBE(probe_read_kernel_str, read_str, true)

#define DEF(id)                                                              \
	{ BPF_FUNC_##id, id,                                                 \
	  { .ret = HRET_INTEGER, .gpl_only = 1,                              \
	    .args = { HARG_PTR_TO_UNINIT_MEM, HARG_CONST_SIZE_OR_ZERO,       \
		      HARG_ANYTHING } } }

const struct helper_def hlp_probe[] = {
	DEF(probe_read),
	DEF(probe_read_user),
	DEF(probe_read_kernel),
	DEF(probe_read_str),
	DEF(probe_read_user_str),
	DEF(probe_read_kernel_str),
	{ 0 },
};
