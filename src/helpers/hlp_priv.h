/* Internal pieces the built-in helper groups share: clocks, safe reads of
 * memory that may not be mapped, the kernel's ctype, the bprintf engine
 * behind trace_printk / snprintf, and the trace buffer. */
#ifndef BPFVM_HELPERS_HLP_PRIV_H
#define BPFVM_HELPERS_HLP_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct bpfvm_map;
struct bpfvm_run;

/* helpers_maps.c: a helper's map argument (register `reg` of a call to
 * `helper`). Without a verifier any value can arrive there: in checked
 * runs it must be a map the run's programs use, else the run ends with
 * -EINVAL (message in err_buf) once the helper returns, and this returns
 * NULL (the helper returns at once; its result is not used). Other runs
 * (run NULL too) trust the value: one byte tested. */
struct bpfvm_map *hlp_map_arg(struct bpfvm_run *run, uint64_t val,
			      const char *helper, int reg);

/* helpers_misc.c */
uint64_t hlp_clock_ns(clockid_t clk);
unsigned long hlp_jiffies_hz(void);
uint64_t hlp_jiffies64(void);
uint32_t hlp_prandom_u32(void);
/* The calling thread's name (prctl PR_GET_NAME), zero-padded; 0 or
 * -EINVAL. */
int hlp_current_comm(char comm[16]);

/* probe_mem.c: reads that fail with -EFAULT instead of crashing when the
 * source is not mapped (process_vm_readv on our own pid, or a pipe where
 * that syscall is refused). */
int hlp_read_safe(void *dst, uint64_t src, size_t n);
/* As the kernel's strncpy_from_*_nofault: copy a NUL-terminated string of
 * at most count bytes including the NUL (a longer one is cut and
 * terminated); returns the bytes written including the NUL, 0 for count
 * 0, or -EFAULT. */
long hlp_strncpy_safe(char *dst, uint64_t src, size_t count);
/* Is addr canonical on x86-64 (48-bit virtual addresses)? The kernel's
 * probe_read_kernel refuses the others with -ERANGE. */
bool hlp_addr_canonical(uint64_t addr);

/* kctype.c: the kernel's <linux/ctype.h>, Latin-1 upper half included
 * (0xa0 is a space there, 0xa1-0xbf punctuation). */
bool hlp_isspace(unsigned char c);
bool hlp_ispunct(unsigned char c);
bool hlp_isprint(unsigned char c);
bool hlp_isalnum(unsigned char c);
bool hlp_isxdigit(unsigned char c);

/* bprintf.c: the kernel's bpf_bprintf_prepare rules (which formats are
 * allowed, the 512-byte argument buffer) and bstr_printf output. */
#define HLP_BPRINTF_BUF 1024u		/* MAX_BPRINTF_BUF */
#define HLP_BPRINTF_VARARGS 12u		/* MAX_BPRINTF_VARARGS */
#define HLP_TRACE_PRINTK_ARGS 3u	/* MAX_TRACE_PRINTK_VARARGS */

/* Format fmt (NUL-terminated within fmt_size bytes) with num_args u64
 * arguments into out (out_size bytes, NUL-terminated unless 0). Returns
 * the length the whole output has (without the NUL, possibly more than
 * out_size - 1), or -EINVAL for a format the kernel refuses / -ENOSPC when
 * the arguments overflow the kernel's argument buffer. */
long hlp_bprintf(char *out, size_t out_size, const char *fmt,
		 size_t fmt_size, const uint64_t *args, uint32_t num_args);

/* One's-complement addition of 32-bit checksum words (the kernel's
 * csum_add): the carry wraps around. For csum_diff and the
 * csum_replace family. */
static inline uint32_t hlp_csum_add(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;

	return r + (r < b);
}

/* trace_pipe.c: add one bpf_trace_printk message (msg as formatted, up to
 * its first NUL) to the trace buffer, the sink and the callback. */
void hlp_trace_emit(const char *msg);

#endif
