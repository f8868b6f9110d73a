/* The helper table: a flat array indexed by helper id, grown on demand so
 * lookups at program creation are one bounds check and one load. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpfvm/env.h>
#include "core/env_priv.h"
#include "helpers/helpers.h"
#include "isa/isa.h"

struct helper_slot {
	bpfvm_helper_fn fn;
	char *name; /* NULL: use the Linux helper's name */
};

struct bpfvm_env {
	struct helper_slot *slots;
	uint32_t cap; /* slots[0..cap) exist */
	_Atomic(void *) events; /* core_env_events */
	void (*events_free)(void *);
};

int bpfvm_env_create(struct bpfvm_env **out)
{
	struct bpfvm_env *env;
	int err;

	if (!out)
		return -EINVAL;
	env = calloc(1, sizeof(*env));
	if (!env)
		return -ENOMEM;
	err = helpers_register_builtin(env);
	if (err) {
		bpfvm_env_free(env);
		return err;
	}
	*out = env;
	return 0;
}

void bpfvm_env_free(struct bpfvm_env *env)
{
	if (!env)
		return;
	if (env->events_free)
		env->events_free(atomic_load(&env->events));
	for (uint32_t i = 0; i < env->cap; i++)
		free(env->slots[i].name);
	free(env->slots);
	free(env);
}

void *core_env_events(const struct bpfvm_env *env)
{
	return atomic_load(&((struct bpfvm_env *)env)->events);
}

void *core_env_events_install(struct bpfvm_env *env, void *events,
			      void (*free_fn)(void *))
{
	void *cur = NULL;

	if (!atomic_compare_exchange_strong(&env->events, &cur, events))
		return cur;
	env->events_free = free_fn; /* read only by bpfvm_env_free */
	return events;
}

static int env_grow(struct bpfvm_env *env, uint32_t id)
{
	uint32_t cap = env->cap ? env->cap : 64;
	struct helper_slot *slots;

	while (cap <= id)
		cap *= 2;
	if (cap > BPFVM_HELPER_ID_MAX + 1)
		cap = BPFVM_HELPER_ID_MAX + 1;
	slots = realloc(env->slots, cap * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	memset(slots + env->cap, 0, (cap - env->cap) * sizeof(*slots));
	env->slots = slots;
	env->cap = cap;
	return 0;
}

int bpfvm_helper_register(struct bpfvm_env *env, uint32_t id,
			  const char *name, bpfvm_helper_fn fn)
{
	char *copy = NULL;
	int err;

	if (!env || !fn || id == 0 || id > BPFVM_HELPER_ID_MAX)
		return -EINVAL;
	if (id >= env->cap) {
		err = env_grow(env, id);
		if (err)
			return err;
	}
	if (name || !isa_linux_helper_name(id)) {
		char fallback[24];

		snprintf(fallback, sizeof(fallback), "helper#%u", id);
		copy = strdup(name ? name : fallback);
		if (!copy)
			return -ENOMEM;
	}
	free(env->slots[id].name);
	env->slots[id].name = copy;
	env->slots[id].fn = fn;
	return 0;
}

bpfvm_helper_fn bpfvm_helper_find(const struct bpfvm_env *env, uint32_t id)
{
	if (!env || id >= env->cap)
		return NULL;
	return env->slots[id].fn;
}

const char *bpfvm_helper_name(const struct bpfvm_env *env, uint32_t id)
{
	if (env && id < env->cap && env->slots[id].name)
		return env->slots[id].name;
	return isa_linux_helper_name(id);
}
