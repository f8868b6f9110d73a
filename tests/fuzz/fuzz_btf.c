/* libFuzzer target: BTF and .BTF.ext parsing must never crash, hang or
 * leak, and whatever parses must survive every reader: each type through
 * the accessors, sizes, modifiers, declarators and lookups, and the whole
 * BTF through the C printer. Input: a 2-byte split point, then the BTF
 * bytes up to it, then bytes read both as .BTF.ext against that BTF and
 * as split BTF on top of it. */
#include <bpfvm/btf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *devnull;

static void walk(const struct bpfvm_btf *btf)
{
	uint32_t n = bpfvm_btf_type_cnt(btf);
	char buf[256];

	for (uint32_t id = 0; id < n; id++) {
		const struct btf_type *t = bpfvm_btf_type(btf, id);
		const char *name = bpfvm_btf_type_name(btf, id);
		int64_t size = bpfvm_btf_type_size(btf, id);
		int under = bpfvm_btf_skip_mods(btf, id);

		if (!name || (id && !t) || under < 0 || (uint32_t)under >= n)
			abort(); /* a parsed BTF answers for every id */
		(void)size;
		bpfvm_btf_type_str(btf, id, "v", buf, sizeof(buf));
		if (t && *name &&
		    bpfvm_btf_find(btf, name, (int)BTF_INFO_KIND(t->info)) < 0)
			abort(); /* a named type is found by its name */
	}
	bpfvm_btf_dump_c(btf, devnull);
}

static void walk_ext(const struct bpfvm_btf_ext *ext)
{
	for (size_t i = 0; i < bpfvm_btf_ext_sec_cnt(ext); i++) {
		const struct bpfvm_btf_ext_sec *s = bpfvm_btf_ext_sec(ext, i);

		if (bpfvm_btf_ext_find_sec(ext, s->sec_name) != s)
			abort();
		for (uint32_t j = 0; j < s->line_info_cnt; j++)
			(void)s->line_info[j].line_col;
		for (uint32_t j = 0; j < s->core_relo_cnt; j++)
			(void)s->core_relo[j].kind;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfvm_btf *btf = NULL, *split = NULL;
	struct bpfvm_btf_ext *ext = NULL;
	struct bpfvm_btf_opts opts = { .sz = sizeof(opts) };
	char log[256];
	size_t cut;

	if (size < 2)
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	cut = (size_t)(data[0] | data[1] << 8);
	data += 2;
	size -= 2;
	cut = cut < size ? cut : size;
	opts.log_buf = log;
	opts.log_size = sizeof(log);
	if (bpfvm_btf_parse(data, cut, &opts, &btf)) {
		if (!memchr(log, '\0', sizeof(log)) || strncmp(log, "BTF: ", 5))
			abort(); /* every failure says why */
		return 0;
	}
	walk(btf);
	if (!bpfvm_btf_ext_parse(data + cut, size - cut, btf, NULL, &ext))
		walk_ext(ext);
	bpfvm_btf_ext_free(ext);
	opts.base = btf;
	if (!bpfvm_btf_parse(data + cut, size - cut, &opts, &split))
		walk(split);
	bpfvm_btf_free(split);
	bpfvm_btf_free(btf);
	return 0;
}
