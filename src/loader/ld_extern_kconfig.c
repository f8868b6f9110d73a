/* Values of kconfig externs: the virtual LINUX_* ones, then a kernel
 * .config's lines ("CONFIG_X=y|m|n|<number>|\"string\"", and "# CONFIG_X
 * is not set" as n), each checked against the extern's type as libbpf
 * checks it; finally every extern left without a value must be weak. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "loader/ld_extern_priv.h"

/* The image bytes of extern i. */
static uint8_t *slot(struct ldx_ctx *c, size_t i)
{
	return (uint8_t *)c->set->image + c->set->ext[i].off;
}

/* "extern 'X': value 'V' why", with the kconfig line it came from. */
static int fail(struct ldx_ctx *c, size_t i, int err, const char *why,
		const char *value)
{
	if (c->line)
		return core_logf(c->log, c->log_size, err, "extern '%s': "
				 "value '%s' (kconfig line %zu) %s",
				 c->set->ext[i].name, value, c->line, why);
	return core_logf(c->log, c->log_size, err, "extern '%s': value '%s' "
			 "%s", c->set->ext[i].name, value, why);
}

/* Does v fit an integer of `sz` bytes (two's complement if signed)? */
static bool fits(uint64_t v, uint32_t sz, bool is_signed)
{
	uint32_t bits = sz * 8;

	if (sz >= 8)
		return true;
	if (is_signed)
		return v + (1ull << (bits - 1)) < (1ull << bits);
	return (v >> bits) == 0;
}

/* The low e->size bytes of v, in host order, into the image. */
static void store(struct ldx_ctx *c, size_t i, uint64_t v)
{
	uint32_t size = c->set->ext[i].size;
	uint8_t *p = slot(c, i);

	for (uint32_t b = 0; b < size; b++) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		p[b] = (uint8_t)(v >> (8 * b));
#else
		p[size - 1 - b] = (uint8_t)(v >> (8 * b));
#endif
	}
}

static int set_num(struct ldx_ctx *c, size_t i, uint64_t v, const char *txt)
{
	const struct ld_extern *e = &c->set->ext[i];
	const struct ldx_info *in = &c->info[i];

	if (in->kind != LDX_INT && in->kind != LDX_CHAR && in->kind != LDX_BOOL)
		return fail(c, i, -EINVAL, "is a number; the extern is not an "
			    "integer, char or bool", txt);
	if (in->kind == LDX_BOOL && v > 1)
		return fail(c, i, -ERANGE, "is not a bool (0 or 1)", txt);
	if (!fits(v, e->size, in->is_signed))
		return fail(c, i, -ERANGE, "does not fit the extern's type",
			    txt);
	store(c, i, v);
	return 0;
}

static int set_tri(struct ldx_ctx *c, size_t i, char v, const char *txt)
{
	uint8_t *p = slot(c, i);

	switch (c->info[i].kind) {
	case LDX_BOOL:
		if (v == 'm')
			return fail(c, i, -EINVAL, "(module) needs a tristate "
				    "or char extern, not bool", txt);
		*p = v == 'y';
		return 0;
	case LDX_CHAR:
		*p = (uint8_t)v;
		return 0;
	case LDX_TRI: /* enum libbpf_tristate */
		store(c, i, v == 'y' ? 1 : v == 'm' ? 2 : 0);
		return 0;
	default:
		return fail(c, i, -EINVAL, "needs a bool, tristate or char "
			    "extern", txt);
	}
}

static int set_str(struct ldx_ctx *c, size_t i, const char *v)
{
	size_t len = strlen(v);

	if (c->info[i].kind != LDX_STR)
		return fail(c, i, -EINVAL, "is a string; the extern is not a "
			    "char array", v);
	if (len < 2 || v[len - 1] != '"')
		return fail(c, i, -EINVAL, "is not a quoted string", v);
	if (len - 2 >= c->set->ext[i].size)
		return fail(c, i, -ERANGE, "does not fit the char array (with "
			    "its NUL)", v);
	memcpy(slot(c, i), v + 1, len - 2);
	slot(c, i)[len - 2] = 0;
	return 0;
}

static size_t find_kcfg(const struct ldx_ctx *c, const char *name)
{
	for (size_t i = 0; i < c->set->cnt; i++) {
		if (c->set->ext[i].is_kconfig &&
		    !strcmp(c->set->ext[i].name, name))
			return i;
	}
	return SIZE_MAX;
}

static int set_value(struct ldx_ctx *c, size_t i, const char *v)
{
	char *end;
	uint64_t num;
	int err;

	if (!strcmp(v, "y") || !strcmp(v, "m") || !strcmp(v, "n"))
		err = set_tri(c, i, v[0], v);
	else if (v[0] == '"')
		err = set_str(c, i, v);
	else {
		errno = 0;
		num = strtoull(v, &end, 0);
		if (errno || *end || end == v)
			return fail(c, i, -EINVAL, "is not y, m, n, a number "
				    "or a quoted string", v);
		err = set_num(c, i, num, v);
	}
	if (!err)
		c->set->ext[i].found = true;
	return err;
}

/* One line (NUL-terminated, no newline), numbered from 1. */
static int kconfig_line(struct ldx_ctx *c, char *line, size_t no)
{
	static const char unset[] = " is not set";
	char *eq, *name = line;
	const char *value;
	size_t len = strlen(line), i;
	int err;

	if (len && line[len - 1] == '\r')
		line[--len] = 0;
	if (!strncmp(line, "# CONFIG_", 9) && len > 9 + sizeof(unset) - 1 &&
	    !strcmp(line + len - (sizeof(unset) - 1), unset)) {
		name = line + 2;
		name[strcspn(name, " ")] = 0;
		value = "n";
	} else if (strncmp(line, "CONFIG_", 7)) {
		return 0; /* comments, blank lines */
	} else {
		eq = strchr(line, '=');
		if (eq)
			*eq = 0;
		if (!eq || !eq[1])
			return core_logf(c->log, c->log_size, -EINVAL,
					 "kconfig line %zu '%s': %s", no, line,
					 eq ? "no value" : "no '='");
		value = eq + 1;
	}
	i = find_kcfg(c, name);
	if (i == SIZE_MAX || c->set->ext[i].found)
		return 0;	/* not used, or given already: first wins */
	/* "is not set" is n for what can hold n; other externs stay
	 * without a value (libbpf skips comment lines altogether) */
	if (name != line && c->info[i].kind != LDX_BOOL &&
	    c->info[i].kind != LDX_TRI && c->info[i].kind != LDX_CHAR)
		return 0;
	c->line = no;
	err = set_value(c, i, value);
	c->line = 0;
	return err;
}

static int parse_kconfig(struct ldx_ctx *c, const char *text)
{
	char *buf = strdup(text), *line;
	size_t no = 0;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	/* strsep keeps empty lines, so line numbers stay right */
	for (char *p = buf; !err && (line = strsep(&p, "\n"));)
		err = kconfig_line(c, line, ++no);
	free(buf);
	return err;
}

/* LINUX_KERNEL_VERSION and the feature flags libbpf fills itself; any
 * other LINUX_ name only when weak (stays 0). */
static int virtual_one(struct ldx_ctx *c, size_t i, uint32_t kversion)
{
	const char *n = c->set->ext[i].name;
	uint64_t v;
	int err;

	if (!strcmp(n, "LINUX_KERNEL_VERSION")) {
		if (!kversion)
			return 0; /* left for the final check */
		v = kversion;
	} else if (!strcmp(n, "LINUX_HAS_SYSCALL_WRAPPER") ||
		   !strcmp(n, "LINUX_HAS_BPF_COOKIE")) {
		v = 1;
	} else if (!strncmp(n, "LINUX_", 6) && c->set->ext[i].weak) {
		return 0;
	} else {
		return core_logf(c->log, c->log_size, -EINVAL, "extern '%s': "
				 "unknown __kconfig extern (only CONFIG_* "
				 "and LINUX_* are)", n);
	}
	err = set_num(c, i, v, n);
	if (!err)
		c->set->ext[i].found = true;
	return err;
}

/* Every extern without a value must be weak (its bytes stay 0). */
static int check_found(struct ldx_ctx *c)
{
	for (size_t i = 0; i < c->set->cnt; i++) {
		const struct ld_extern *e = &c->set->ext[i];

		if (e->found || e->weak)
			continue;
		if (!e->is_kconfig)
			return core_logf(c->log, c->log_size, -EINVAL, "extern "
					 "'%s': no kernel symbols in bpfvm "
					 "(declare the __ksym __weak)", e->name);
		return core_logf(c->log, c->log_size, -EINVAL, "extern '%s': "
				 "no value given (not in the kconfig text, "
				 "and not __weak)", e->name);
	}
	return 0;
}

int ldx_values(struct ldx_ctx *c, const char *kconfig, uint32_t kversion)
{
	int err = 0;

	for (size_t i = 0; !err && i < c->set->cnt; i++) {
		if (c->set->ext[i].is_kconfig &&
		    strncmp(c->set->ext[i].name, "CONFIG_", 7))
			err = virtual_one(c, i, kversion);
	}
	if (!err && kconfig)
		err = parse_kconfig(c, kconfig);
	return err ? err : check_found(c);
}
