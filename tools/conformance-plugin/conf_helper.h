/* The helper bpf_conformance programs call: helper 5 returns its first
 * argument and ends the program when that is 0 (call_unwind_fail.data). */
#ifndef BPFVM_CONF_HELPER_H
#define BPFVM_CONF_HELPER_H

#include <bpfvm/env.h>

#define CONF_HELPER_ID 5

/* An environment with the conformance helper registered under id 5. */
int conf_env_create(struct bpfvm_env **out);

#endif
