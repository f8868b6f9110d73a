/* BTF-defined maps against libbpf (issue 5): every map of bm_all.o as
 * ld_btf_maps_parse reads it and as libbpf's bpf_object__open does:
 * type, sizes, max_entries, flags, NUMA node, map_extra, BTF key/value
 * ids, inner map template. (libbpf 1.1 does not know __ulong: the
 * bm_ulong objects are not compared.) */
#include <errno.h>
#include <stdlib.h>
#include <bpf/libbpf.h>

#include "check.h"
#include "core_obj.h"
#include "loader/ld_btf_maps.h"

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l;
	(void)f;
	(void)ap;
	return 0;
}

static void same(const char *obj, const struct bpfvm_map_def *d,
		 const struct bpf_map *m)
{
	bool ok = d->type == bpf_map__type(m) &&
		  d->key_size == bpf_map__key_size(m) &&
		  d->value_size == bpf_map__value_size(m) &&
		  d->max_entries == bpf_map__max_entries(m) &&
		  d->map_flags == bpf_map__map_flags(m) &&
		  d->numa_node == bpf_map__numa_node(m) &&
		  d->map_extra == bpf_map__map_extra(m) &&
		  d->btf_key_type_id == bpf_map__btf_key_type_id(m) &&
		  d->btf_value_type_id == bpf_map__btf_value_type_id(m);

	if (!ok)
		fprintf(stderr, "%s: map %s: bpfvm %u %u %u %u %#x %u %#llx "
			"%u %u, libbpf %u %u %u %u %#x %u %#llx %u %u\n", obj,
			bpf_map__name(m), d->type, d->key_size, d->value_size,
			d->max_entries, d->map_flags, d->numa_node,
			(unsigned long long)d->map_extra, d->btf_key_type_id,
			d->btf_value_type_id, bpf_map__type(m),
			bpf_map__key_size(m), bpf_map__value_size(m),
			bpf_map__max_entries(m), bpf_map__map_flags(m),
			bpf_map__numa_node(m),
			(unsigned long long)bpf_map__map_extra(m),
			bpf_map__btf_key_type_id(m),
			bpf_map__btf_value_type_id(m));
	CHECK(ok);
}

static void compare(const char *name)
{
	char path[512];
	struct core_obj o;
	struct bpf_object *lb;
	struct ld_btf_map *maps = NULL;
	size_t cnt = 0, seen = 0;
	struct bpf_map *m;

	snprintf(path, sizeof(path), "%s/%s.o", BPFVM_OBJ_DIR, name);
	CHECK(core_obj_open(&o, path) == 0);
	lb = bpf_object__open_file(path, NULL);
	CHECK(lb != NULL);
	if (!lb) {
		core_obj_close(&o);
		return;
	}
	/* no refs: initial slots are not what is compared here */
	CHECK(ld_btf_maps_parse(o.btf, ".maps", NULL, 0, &maps, &cnt, NULL,
				0) == 0);
	bpf_object__for_each_map(m, lb) {
		const struct ld_btf_map *b = NULL;

		for (size_t i = 0; i < cnt; i++)
			if (!strcmp(maps[i].name, bpf_map__name(m)))
				b = &maps[i];
		if (!b)
			continue; /* global data, .kconfig */
		seen++;
		same(name, &b->def, m);
		CHECK(b->has_inner == (bpf_map__inner_map(m) != NULL));
		if (b->has_inner && bpf_map__inner_map(m))
			same(name, &b->inner_def, bpf_map__inner_map(m));
	}
	CHECK_EQ_U64(seen, cnt);
	ld_btf_maps_free(maps, cnt);
	bpf_object__close(lb);
	core_obj_close(&o);
}

int main(void)
{
	libbpf_set_print(quiet);
	compare("bm_all");
	return check_report();
}
