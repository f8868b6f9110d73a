/* An environment holds what programs may call: the helper table indexed by
 * the Linux helper id (enum bpf_func_id), plus any ids the host adds. */
#ifndef BPFVM_ENV_H
#define BPFVM_ENV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfvm_env;
struct bpfvm_run; /* one running program, as seen by a helper */

/* Helpers take the five BPF argument registers; the sixth argument lets a
 * helper reach the run it was called from (bpfvm_run_stop). Helpers written
 * with five parameters may ignore it. */
typedef uint64_t (*bpfvm_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3,
				    uint64_t r4, uint64_t r5,
				    struct bpfvm_run *run);

/* Largest helper id an environment accepts. */
#define BPFVM_HELPER_ID_MAX 65535u

/* A new environment with bpfvm's built-in helpers registered. */
int bpfvm_env_create(struct bpfvm_env **out);
void bpfvm_env_free(struct bpfvm_env *env);

/* Register (or replace) helper `id`. name may be NULL ("helper#id");
 * -EINVAL for id 0 or above BPFVM_HELPER_ID_MAX, or a NULL fn. */
int bpfvm_helper_register(struct bpfvm_env *env, uint32_t id,
			  const char *name, bpfvm_helper_fn fn);
/* NULL when id is not registered. */
bpfvm_helper_fn bpfvm_helper_find(const struct bpfvm_env *env, uint32_t id);
/* The registered name, else the Linux helper's name, else NULL. */
const char *bpfvm_helper_name(const struct bpfvm_env *env, uint32_t id);

/* From inside a helper: end the program when the helper returns, with r0
 * set to `r0` (as uBPF's unwind helpers do). */
void bpfvm_run_stop(struct bpfvm_run *run, uint64_t r0);

#ifdef __cplusplus
}
#endif
#endif
