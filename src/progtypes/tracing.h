/* What tracepoint and raw tracepoint programs share: the kernel's
 * tracing helper set, and the record size limit. */
#ifndef BPFVM_PROGTYPES_TRACING_H
#define BPFVM_PROGTYPES_TRACING_H

#include <stdbool.h>
#include <stdint.h>

/* The kernel's PERF_MAX_TRACE_SIZE (8192 in current kernels, 2048 in
 * old ones): no trace event record is larger. */
#define PT_MAX_TRACE_SIZE 8192u
/* The kernel's MAX_BPF_FUNC_ARGS as raw tracepoints see it: at most 12
 * u64 arguments. */
#define PT_RAW_TP_MAX_ARGS 12u

/* tp_prog_func_proto / raw_tp_prog_func_proto: the stack and output
 * helpers taking the ctx, then bpf_tracing_func_proto, which falls back
 * to the base set (pt_base_helper_ok). */
bool pt_tracing_helper_ok(uint32_t id);

#endif
