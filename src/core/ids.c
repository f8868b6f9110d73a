/* Ids index a table that only grows: an id is never handed out twice, so a
 * stale id finds nothing rather than someone else's object. */
#include <pthread.h>
#include <stdlib.h>

#include "core/ids.h"

struct id_slot {
	void *obj;
	enum core_id_kind kind;
};

static pthread_mutex_t ids_lock = PTHREAD_MUTEX_INITIALIZER;
static struct id_slot *ids;
static uint32_t ids_cnt, ids_cap;

uint32_t core_id_alloc(void *obj, enum core_id_kind kind)
{
	uint32_t id = 0;

	pthread_mutex_lock(&ids_lock);
	if (ids_cnt == ids_cap && ids_cap < UINT32_MAX / 2) {
		uint32_t cap = ids_cap ? ids_cap * 2 : 64;
		struct id_slot *n = realloc(ids, cap * sizeof(*n));

		if (n) {
			ids = n;
			ids_cap = cap;
		}
	}
	if (ids_cnt < ids_cap) {
		ids[ids_cnt] = (struct id_slot){ obj, kind };
		id = ++ids_cnt;
	}
	pthread_mutex_unlock(&ids_lock);
	return id;
}

void core_id_release(uint32_t id)
{
	pthread_mutex_lock(&ids_lock);
	if (id && id <= ids_cnt)
		ids[id - 1].obj = NULL;
	pthread_mutex_unlock(&ids_lock);
}

void *core_id_get(uint32_t id, enum core_id_kind kind, core_id_tryget tryget)
{
	void *obj = NULL;

	pthread_mutex_lock(&ids_lock);
	if (id && id <= ids_cnt && ids[id - 1].kind == kind &&
	    ids[id - 1].obj && tryget(ids[id - 1].obj))
		obj = ids[id - 1].obj;
	pthread_mutex_unlock(&ids_lock);
	return obj;
}
