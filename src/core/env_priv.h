/* What other modules keep per environment. */
#ifndef BPFVM_CORE_ENV_PRIV_H
#define BPFVM_CORE_ENV_PRIV_H

#include <bpfvm/env.h>

/* The host's events (progtypes/event.c): made on first use, freed with
 * the env by the free function given when they were installed. */
void *core_env_events(const struct bpfvm_env *env);
/* Install `events` unless the env has some already; returns the env's
 * events (the caller frees its own when they are not what came back). */
void *core_env_events_install(struct bpfvm_env *env, void *events,
			      void (*free_fn)(void *));

#endif
