/* Load: externs resolved, maps created, map-in-map slots filled, CO-RE
 * applied to copies of the sections, each program linked and created,
 * PROG_ARRAY slots filled. The object itself is only read until the end,
 * so a failed load undoes what it created and the object can be adjusted
 * and loaded again. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/opts.h"
#include "loader/ld_core.h"
#include "loader/ld_link.h"
#include "loader/ld_load.h"

static bool has_externs(const struct bpfvm_object *obj)
{
	for (size_t i = 0; i < obj->map_cnt; i++)
		if (obj->maps[i]->kind == BPFVM_OBJ_MAP_KCONFIG)
			return true;
	for (size_t c = 0; c < obj->code_cnt; c++)
		for (size_t r = 0; r < obj->code[c].reloc_cnt; r++)
			if (obj->code[c].relocs[r].kind == LD_RELOC_EXTERN)
				return true;
	return false;
}

static int64_t kconfig_map(const struct bpfvm_object *obj)
{
	for (size_t i = 0; i < obj->map_cnt; i++)
		if (obj->maps[i]->kind == BPFVM_OBJ_MAP_KCONFIG)
			return (int64_t)i;
	return -1;
}

struct weak_q {
	const char **names;
	size_t cnt;
	bool count_only;
};

static int add_weak(const char *name, const GElf_Sym *s, void *ctx)
{
	struct weak_q *q = ctx;

	if (s->st_shndx == SHN_UNDEF && GELF_ST_BIND(s->st_info) == STB_WEAK) {
		if (!q->count_only)
			q->names[q->cnt] = name;
		q->cnt++;
	}
	return 0;
}

/* The externs BTF cannot call weak: undefined weak ELF symbols. */
static int weak_names(const struct bpfvm_object *obj, const char ***out,
		      size_t *cnt)
{
	struct weak_q q = { NULL, 0, true };

	ld_syms_each(obj, add_weak, &q);
	*out = NULL;
	*cnt = 0;
	if (!q.cnt)
		return 0;
	q.names = malloc(q.cnt * sizeof(*q.names));
	if (!q.names)
		return -ENOMEM;
	q.cnt = 0;
	q.count_only = false;
	ld_syms_each(obj, add_weak, &q);
	*out = q.names;
	*cnt = q.cnt;
	return 0;
}

/* Values of the externs; the .kconfig map's value grows to hold them. */
static int load_externs(struct bpfvm_object *obj, char *log, size_t log_size)
{
	const char **weak = NULL;
	size_t weak_cnt = 0;
	int64_t k;
	int err;

	if (!has_externs(obj))
		return 0;
	if (!obj->btf)
		return core_logf(log, log_size, -EINVAL, "externs need the "
				 "object's BTF, which it lacks");
	err = weak_names(obj, &weak, &weak_cnt);
	if (!err)
		err = ld_extern_resolve_weak(obj->btf, obj->kconfig,
					     obj->kernel_version, weak,
					     weak_cnt, &obj->externs, log,
					     log_size);
	free(weak);
	k = kconfig_map(obj);
	if (!err && k >= 0 &&
	    obj->maps[k]->def.value_size < obj->externs.image_size)
		obj->maps[k]->def.value_size =
			(uint32_t)obj->externs.image_size;
	return err;
}

/* The CO-RE target object.h promises: given, a file, the kernel's, or
 * bpfvm's own. */
static int core_target(struct bpfvm_object *obj,
		       const struct bpfvm_btf **out, char *log,
		       size_t log_size)
{
	char why[256] = "";
	struct bpfvm_btf_opts bo = { .sz = sizeof(bo), .log_buf = why,
				     .log_size = sizeof(why) };
	int err;

	if (obj->target_btf) {
		*out = obj->target_btf;
		return 0;
	}
	if (!obj->own_target_btf && obj->btf_custom_path) {
		err = bpfvm_btf_parse_file(obj->btf_custom_path, &bo,
					   &obj->own_target_btf);
		if (err)
			return core_logf(log, log_size, err, "CO-RE target "
					 "'%s': %s", obj->btf_custom_path, why);
	}
	if (!obj->own_target_btf && bpfvm_btf_vmlinux(&obj->own_target_btf))
		obj->own_target_btf = NULL;
	*out = obj->own_target_btf ? obj->own_target_btf : bpfvm_btf_builtin();
	return 0;
}

static int core_relocate(struct bpfvm_object *obj, struct ld_link *lk,
			 char *log, size_t log_size)
{
	const struct bpfvm_btf *target = NULL;
	int err = 0;

	for (size_t c = 0; !err && obj->btf_ext && c < obj->code_cnt; c++) {
		const char *name = obj->code[c].sec->name;
		const struct bpfvm_btf_ext_sec *s =
			bpfvm_btf_ext_find_sec(obj->btf_ext, name);

		if (!s || !s->core_relo_cnt)
			continue;
		if (!target)
			err = core_target(obj, &target, log, log_size);
		if (!err)
			err = ld_core_relocate(obj->btf, target, name,
					       s->core_relo, s->core_relo_cnt,
					       lk->insns[c], obj->code[c].cnt,
					       log, log_size);
	}
	return err;
}

static int load_prog(struct bpfvm_object *obj, struct ld_link *lk,
		     struct bpfvm_obj_prog *p, struct bpfvm_map *const *maps,
		     const struct bpfvm_object_load_opts *o, char *log,
		     size_t log_size)
{
	char why[512] = "";
	struct bpfvm_prog_opts po = {
		.sz = sizeof(po),
		.env = OPTS_GET(o, env, NULL),
		.name = p->name,
		.log_buf = why,
		.log_size = sizeof(why),
		.flags = OPTS_GET(o, prog_flags, 0),
		.maps = maps,
		.map_cnt = obj->map_cnt,
		.prog_type = p->type,
		.expected_attach_type = p->attach_type,
		.btf = obj->btf,
	};
	int err = ld_link_prog(lk, p, log, log_size);

	if (err)
		return err;
	po.func_info = p->func_info;
	po.func_info_cnt = p->func_info_cnt;
	po.line_info = p->line_info;
	po.line_info_cnt = p->line_info_cnt;
	err = bpfvm_prog_create(p->insns, p->insn_cnt, &po, &p->prog);
	if (err)
		return core_logf(log, log_size, err, "prog '%s': %s", p->name,
				 why[0] ? why : "cannot be created");
	return 0;
}

static int load_progs(struct bpfvm_object *obj,
		      const struct bpfvm_object_load_opts *o, char *log,
		      size_t log_size)
{
	struct bpfvm_map **maps = calloc(obj->map_cnt ? obj->map_cnt : 1,
					 sizeof(*maps));
	struct ld_link lk;
	int err = maps ? ld_link_init(&lk, obj) : -ENOMEM;

	for (size_t i = 0; maps && i < obj->map_cnt; i++)
		maps[i] = obj->maps[i]->map;
	if (!err) {
		lk.kconfig_map = kconfig_map(obj);
		err = core_relocate(obj, &lk, log, log_size);
	}
	for (size_t i = 0; !err && i < obj->prog_cnt; i++) {
		if (obj->progs[i]->autoload)
			err = load_prog(obj, &lk, obj->progs[i], maps, o, log,
					log_size);
	}
	if (maps)
		ld_link_fini(&lk);
	free(maps);
	return err;
}

int ld_load(struct bpfvm_object *obj, const struct bpfvm_object_load_opts *o,
	    char *log, size_t log_size)
{
	int err;

	if (obj->loaded)
		return core_logf(log, log_size, -EBUSY, "object '%s' is "
				 "loaded already", obj->name);
	err = load_externs(obj, log, log_size);
	if (!err)
		err = ld_load_maps(obj, log, log_size);
	if (!err)
		err = ld_load_slots(obj, false, log, log_size);
	if (!err)
		err = load_progs(obj, o, log, log_size);
	if (!err)
		err = ld_load_slots(obj, true, log, log_size);
	if (err) {
		ld_unload(obj);
		return err;
	}
	obj->loaded = true;
	return 0;
}

void ld_unload(struct bpfvm_object *obj)
{
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		struct bpfvm_obj_prog *p = obj->progs[i];

		bpfvm_prog_free(p->prog);
		free(p->insns);
		free(p->func_info);
		free(p->line_info);
		p->prog = NULL;
		p->insns = NULL;
		p->func_info = NULL;
		p->line_info = NULL;
		p->insn_cnt = p->func_info_cnt = p->line_info_cnt = 0;
	}
	/* user references: a PROG_ARRAY nobody else holds empties its
	 * slots, so programs in them go too */
	for (size_t i = 0; i < obj->map_cnt; i++) {
		bpfvm_map_free(obj->maps[i]->map);
		obj->maps[i]->map = NULL;
	}
	ld_extern_set_free(&obj->externs);
	memset(&obj->externs, 0, sizeof(obj->externs));
	obj->loaded = false;
}

int bpfvm_object_load(struct bpfvm_object *obj,
		      const struct bpfvm_object_load_opts *opts)
{
	char *log = OPTS_GET(opts, log_buf, NULL);
	size_t log_size = OPTS_GET(opts, log_size, 0);

	if (log && log_size)
		log[0] = '\0';
	if (!obj)
		return core_logf(log, log_size, -EINVAL, "no object given");
	return ld_load(obj, opts, log, log_size);
}
