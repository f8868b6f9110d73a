/* Opening an object: the public entry points, the order of open's steps,
 * the small sections (license, version, .BTF, .BTF.ext), and freeing.
 *
 * BTF: a .BTF that does not parse fails the open with the parser's
 * message (libbpf goes on without it when no .maps or extern needs it;
 * a broken .BTF means a broken file, and going on would silently drop
 * CO-RE relocations and function info). A malformed .BTF.ext fails too;
 * a .BTF.ext without .BTF is ignored, as libbpf. With RELA relocations
 * their addends are written into .BTF / .BTF.ext first (REL leaves the
 * values there already). */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "core/opts.h"
#include "loader/ld_open.h"

static int small_sections(struct ld_ctx *c)
{
	struct bpfvm_object *obj = c->obj;
	size_t i;

	for (i = 1; i < obj->sec_cnt; i++) {
		const struct ld_sec *s = &obj->secs[i];

		if (!strcmp(s->name, "maps") && s->type == SHT_PROGBITS) {
			c->maps_sec = i;
			c->info[i].role = LD_SEC_MAPS;
		} else if (!strcmp(s->name, ".maps") &&
			   (s->type == SHT_PROGBITS || s->type == SHT_NOBITS)) {
			c->btf_maps_sec = i;
			c->info[i].role = LD_SEC_BTF_MAPS;
		} else if (!strcmp(s->name, "license") && s->data) {
			if (!memchr(s->data, 0, s->size))
				return ld_errf(c, -EINVAL, "section 'license': "
					       "not a NUL-terminated string");
			free(obj->license);
			obj->license = strdup((const char *)s->data);
			if (!obj->license)
				return ld_errf(c, -ENOMEM, "out of memory");
		} else if (!strcmp(s->name, "version") && s->data) {
			if (s->size != sizeof(uint32_t))
				return ld_errf(c, -EINVAL, "section 'version': "
					       "%zu bytes, not 4", s->size);
			memcpy(&obj->kversion, s->data, sizeof(uint32_t));
		}
	}
	return 0;
}

static const struct ld_sec *sec_by_name(const struct ld_ctx *c,
					const char *name)
{
	size_t i;

	for (i = 1; i < c->obj->sec_cnt; i++)
		if (!strcmp(c->obj->secs[i].name, name) &&
		    c->obj->secs[i].data)
			return &c->obj->secs[i];
	return NULL;
}

static int btf_sections(struct ld_ctx *c)
{
	const struct ld_sec *btf = sec_by_name(c, ".BTF");
	const struct ld_sec *ext = sec_by_name(c, ".BTF.ext");
	char msg[512] = "";
	struct bpfvm_btf_opts o = { .sz = sizeof(o), .log_buf = msg,
				    .log_size = sizeof(msg) };
	int err;

	if (!btf)
		return 0;
	err = ld_rela_fill(c, btf);
	if (!err && ext)
		err = ld_rela_fill(c, ext);
	if (err)
		return err;
	err = bpfvm_btf_parse(btf->data, btf->size, &o, &c->obj->btf);
	if (err)
		return ld_errf(c, err, "section '.BTF': %s", msg);
	if (!ext)
		return 0;
	err = bpfvm_btf_ext_parse(ext->data, ext->size, c->obj->btf, &o,
				  &c->obj->btf_ext);
	if (err)
		return ld_errf(c, err, "section '.BTF.ext': %s", msg);
	return 0;
}

/* file: what messages start with (the path, or the object's name). */
static int ld_open_as(struct bpfvm_object *obj, const char *file, char *log,
		      size_t log_size)
{
	struct ld_ctx c = { .obj = obj, .file = file, .log = log,
			    .log_size = log_size };
	int err;

	err = ld_elf_sections(&c);
	if (!err)
		err = ld_elf_symtab(&c);
	if (!err)
		err = ld_rel_check(&c);
	if (!err)
		err = small_sections(&c);
	if (!err)
		err = btf_sections(&c);
	if (!err)
		err = ld_code_collect(&c);
	if (!err)
		err = ld_funcs_collect(&c);
	if (!err)
		err = ld_maps_legacy(&c);
	if (!err)
		err = ld_maps_btf(&c);
	if (!err)
		err = ld_data_maps(&c);
	if (!err)
		err = ld_relocs_collect(&c);
	if (!err)
		err = ld_progs_collect(&c);
	free(c.info);
	free(c.rel_of);
	free(c.defs);
	return err;
}

int ld_open(struct bpfvm_object *obj, char *log, size_t log_size)
{
	return ld_open_as(obj, obj->name, log, log_size);
}

void ld_release(struct bpfvm_object *obj)
{
	size_t i;

	ld_unload(obj);
	for (i = 0; i < obj->code_cnt; i++) {
		free(obj->code[i].insns);
		free(obj->code[i].relocs);
	}
	free(obj->code);
	free(obj->funcs);
	for (i = 0; i < obj->prog_cnt; i++)
		free(obj->progs[i]);
	free(obj->progs);
	for (i = 0; i < obj->map_cnt; i++)
		ld_map_free(obj->maps[i]);
	free(obj->maps);
	free(obj->license);
	bpfvm_btf_ext_free(obj->btf_ext);
	bpfvm_btf_free(obj->btf);
	bpfvm_btf_free(obj->own_target_btf);
	free(obj->btf_custom_path);
	free(obj->kconfig);
	free(obj->secs);
	if (obj->elf)
		elf_end(obj->elf);
	free(obj->buf);
	free(obj->name);
}

/* KERNEL_VERSION(a, b, c) of the running kernel (c capped at 255). */
static uint32_t running_kernel_version(void)
{
	struct utsname u;
	unsigned a = 0, b = 0, c = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u.%u", &a, &b, &c) < 2)
		return 0;
	return (a << 16) + (b << 8) + (c > 255 ? 255 : c);
}

/* "dir/prog.bpf.o" -> "prog" */
static char *name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 6 && !strcmp(base + n - 6, ".bpf.o"))
		n -= 6;
	else if (n > 2 && !strcmp(base + n - 2, ".o"))
		n -= 2;
	return strndup(base, n);
}

static int obj_new(const char *name, const struct bpfvm_object_open_opts *o,
		   struct bpfvm_object **out)
{
	struct bpfvm_object *obj = calloc(1, sizeof(*obj));
	const char *s;

	*out = obj;
	if (!obj)
		return -ENOMEM;
	s = OPTS_GET(o, name, NULL);
	obj->name = strdup(s ? s : name);
	obj->license = strdup("");
	obj->target_btf = OPTS_GET(o, target_btf, NULL);
	s = OPTS_GET(o, btf_custom_path, NULL);
	obj->btf_custom_path = s ? strdup(s) : NULL;
	s = OPTS_GET(o, kconfig, NULL);
	obj->kconfig = s ? strdup(s) : NULL;
	obj->kernel_version = OPTS_GET(o, kernel_version, 0);
	if (!obj->kernel_version)
		obj->kernel_version = running_kernel_version();
	if (!obj->name || !obj->license ||
	    (OPTS_GET(o, btf_custom_path, NULL) && !obj->btf_custom_path) ||
	    (OPTS_GET(o, kconfig, NULL) && !obj->kconfig))
		return -ENOMEM;
	return 0;
}

static int open_buf(void *buf, size_t size, const char *name,
		    const char *file, const struct bpfvm_object_open_opts *o,
		    struct bpfvm_object **out)
{
	char *log = OPTS_GET(o, log_buf, NULL);
	size_t log_size = log ? OPTS_GET(o, log_size, 0) : 0;
	struct bpfvm_object *obj;
	int err;

	*out = NULL;
	if (log && log_size)
		log[0] = '\0';
	err = obj_new(name, o, &obj);
	if (obj) {
		obj->buf = buf;
		obj->size = size;
	} else {
		free(buf);
	}
	if (!err)
		err = ld_open_as(obj, file, log, log_size);
	else if (log && log_size)
		snprintf(log, log_size, "%s: out of memory", file);
	if (err) {
		bpfvm_object_close(obj);
		return err;
	}
	*out = obj;
	return 0;
}

int bpfvm_object_open_mem(const void *buf, size_t size,
			  const struct bpfvm_object_open_opts *opts,
			  struct bpfvm_object **out)
{
	void *copy;

	if (!out || (!buf && size))
		return -EINVAL;
	*out = NULL;
	copy = malloc(size ? size : 1);	/* malloc: 8-aligned, as ELF wants */
	if (!copy)
		return -ENOMEM;
	if (size)
		memcpy(copy, buf, size);
	return open_buf(copy, size, "mem", OPTS_GET(opts, name, NULL) ?: "mem",
			opts, out);
}

static int read_file(const char *path, void **buf, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long n;
	int err = 0;

	*buf = NULL;
	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		err = -EIO;
	else if (!(*buf = malloc(n ? n : 1)))
		err = -ENOMEM;
	else if (fread(*buf, 1, n, f) != (size_t)n)
		err = -EIO;
	fclose(f);
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	*size = err ? 0 : (size_t)n;
	return err;
}

int bpfvm_object_open_file(const char *path,
			   const struct bpfvm_object_open_opts *opts,
			   struct bpfvm_object **out)
{
	char *log = OPTS_GET(opts, log_buf, NULL);
	size_t log_size = log ? OPTS_GET(opts, log_size, 0) : 0;
	char *name;
	void *buf;
	size_t size = 0;
	int err;

	if (!path || !out)
		return -EINVAL;
	*out = NULL;
	err = read_file(path, &buf, &size);
	if (err) {
		if (log && log_size)
			snprintf(log, log_size, "%s: %s", path, strerror(-err));
		return err;
	}
	name = name_from_path(path);
	if (!name) {
		free(buf);
		return -ENOMEM;
	}
	err = open_buf(buf, size, name, path, opts, out);
	free(name);
	return err;
}

void bpfvm_object_close(struct bpfvm_object *obj)
{
	if (!obj)
		return;
	ld_release(obj);
	free(obj);
}

const char *bpfvm_object_name(const struct bpfvm_object *obj)
{
	return obj->name;
}

const char *bpfvm_object_license(const struct bpfvm_object *obj)
{
	return obj->license ? obj->license : "";
}

uint32_t bpfvm_object_kversion(const struct bpfvm_object *obj)
{
	return obj->kversion;
}

const struct bpfvm_btf *bpfvm_object_btf(const struct bpfvm_object *obj)
{
	return obj->btf;
}

const struct bpfvm_btf_ext *
bpfvm_object_btf_ext(const struct bpfvm_object *obj)
{
	return obj->btf_ext;
}
