/* CO-RE against the running kernel (issue 5): core_vm.o relocated by
 * bpfvm (ld_core_relocate with /sys/kernel/btf/vmlinux) and by libbpf
 * (bpf_object__load, instructions captured in a prog_prepare_load_fn
 * callback, which runs after libbpf's CO-RE pass and then cancels the
 * load): the instructions must be identical. Also a few offsets against
 * libbpf's BTF API directly. SKIP where the kernel has no BTF. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "check.h"
#include "core_obj.h"
#include "loader/ld_core.h"

#define OBJ BPFVM_OBJ_DIR "/core_vm.o"
#define VMLINUX "/sys/kernel/btf/vmlinux"

static struct bpf_insn *lb_insns[2];
static size_t lb_cnt[2];

static int capture(struct bpf_program *prog, struct bpf_prog_load_opts *o,
		   long cookie)
{
	int i = strcmp(bpf_program__section_name(prog), "core_vm/task") ? 1 : 0;
	size_t n = bpf_program__insn_cnt(prog);

	(void)o;
	(void)cookie;
	lb_insns[i] = malloc(n * sizeof(struct bpf_insn));
	if (lb_insns[i]) {
		memcpy(lb_insns[i], bpf_program__insns(prog), n * 8);
		lb_cnt[i] = n;
	}
	return -ECANCELED; /* relocated is all we want */
}

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l;
	(void)f;
	(void)ap;
	return 0;
}

/* libbpf's view: relocate core_vm.o and keep the instructions of each
 * program (libbpf stops at the first program that fails to load, so
 * one program per round, the other not loaded). */
static void libbpf_relocate(void)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, ho,
		    .prog_prepare_load_fn = capture);
	int id = libbpf_register_prog_handler("core_vm/",
					      BPF_PROG_TYPE_TRACEPOINT, 0, &ho);

	CHECK(id > 0);
	for (int round = 0; round < 2; round++) {
		struct bpf_object *obj = bpf_object__open_file(OBJ, NULL);
		struct bpf_program *p;

		CHECK(obj != NULL);
		if (!obj)
			break;
		bpf_object__for_each_program(p, obj)
			bpf_program__set_autoload(p, !strcmp(
				bpf_program__section_name(p),
				round ? "core_vm/skb" : "core_vm/task"));
		bpf_object__load(obj); /* fails: capture() cancels */
		bpf_object__close(obj);
	}
	if (id > 0)
		libbpf_unregister_prog_handler(id);
}

static void compare(struct core_obj *lo, const struct bpfvm_btf *vm,
		    const char *sec, int i)
{
	const struct bpfvm_btf_ext_sec *s = bpfvm_btf_ext_find_sec(lo->ext, sec);
	size_t cnt;
	struct bpf_insn *in = core_obj_insns(lo, sec, &cnt);
	char log[256] = "";
	int err;

	CHECK(s && in);
	if (!s || !in)
		return;
	err = ld_core_relocate(lo->btf, vm, sec, s->core_relo,
			       s->core_relo_cnt, in, cnt, log, sizeof(log));
	CHECK(err == 0);
	if (err)
		fprintf(stderr, "%s\n", log);
	CHECK(lb_insns[i] && lb_cnt[i] == cnt);
	for (size_t k = 0; lb_insns[i] && k < cnt && k < lb_cnt[i]; k++) {
		if (memcmp(&in[k], &lb_insns[i][k], 8) == 0)
			continue;
		fprintf(stderr, "%s insn %zu: bpfvm %02x %d %d %d %d, libbpf "
			"%02x %d %d %d %d\n", sec, k, in[k].code, in[k].dst_reg,
			in[k].src_reg, in[k].off, in[k].imm,
			lb_insns[i][k].code, lb_insns[i][k].dst_reg,
			lb_insns[i][k].src_reg, lb_insns[i][k].off,
			lb_insns[i][k].imm);
		CHECK(0);
	}
	/* task_struct has `state` (before 5.14) or `__state`: one of the
	 * two loads is poisoned */
	if (i == 0) {
		int poisoned = 0;

		for (size_t k = 0; k < cnt; k++)
			poisoned += core_insn_poisoned(&in[k]);
		CHECK(poisoned == 1);
	}
	/* the relocations did change something (the kernel's layout is not
	 * the local one) */
	CHECK(memcmp(in, core_obj_sec(lo, sec, &cnt), cnt) != 0);
	free(in);
}

/* Offsets through libbpf's BTF API against bpfvm's relocated loads. */
static void api_offsets(struct core_obj *lo, const struct bpfvm_btf *vm)
{
	struct btf *kb = btf__load_vmlinux_btf();
	const char *sec = "core_vm/task";
	const struct bpfvm_btf_ext_sec *s = bpfvm_btf_ext_find_sec(lo->ext, sec);
	const char *names[] = { "pid", "tgid", "real_parent" };
	size_t cnt;
	struct bpf_insn *in = core_obj_insns(lo, sec, &cnt);
	const struct btf_type *t;
	int id;

	CHECK(kb && s && in);
	if (!kb || !s || !in)
		goto out;
	CHECK(ld_core_relocate(lo->btf, vm, sec, s->core_relo, s->core_relo_cnt,
			       in, cnt, NULL, 0) == 0);
	id = btf__find_by_name_kind(kb, "task_struct", BTF_KIND_STRUCT);
	t = btf__type_by_id(kb, id);
	CHECK(t != NULL);
	for (size_t n = 0; t && n < 3; n++) {
		const struct btf_member *m = btf_members(t);
		const struct bpf_core_relo *r;
		uint32_t j;

		for (j = 0; j < btf_vlen(t); j++)
			if (!strcmp(btf__name_by_offset(kb, m[j].name_off),
				    names[n]))
				break;
		CHECK(j < btf_vlen(t));
		r = core_obj_relo(lo, sec, BPF_CORE_FIELD_BYTE_OFFSET,
				  "task_struct", names[n], NULL);
		CHECK(r != NULL);
		if (r && j < btf_vlen(t))
			CHECK_EQ_U64(in[r->insn_off / 8].off,
				     btf_member_bit_offset(t, j) / 8);
	}
	{
		const struct bpf_core_relo *r = core_obj_relo(
			lo, sec, BPF_CORE_TYPE_SIZE, "task_struct", "", NULL);

		CHECK(r && t);
		if (r && t)
			CHECK_EQ_U64(in[r->insn_off / 8].imm, t->size);
	}
out:
	free(in);
	btf__free(kb);
}

int main(void)
{
	struct bpfvm_btf *vm = NULL;
	struct core_obj lo;

	if (access(VMLINUX, R_OK)) {
		printf("SKIP: no %s\n", VMLINUX);
		return 77;
	}
	libbpf_set_print(quiet);
	CHECK(bpfvm_btf_parse_file(VMLINUX, NULL, &vm) == 0);
	CHECK(core_obj_open(&lo, OBJ) == 0 && lo.ext);
	if (!vm || !lo.ext)
		return check_report();
	api_offsets(&lo, vm);
	libbpf_relocate();
	if (!lb_insns[0] && !lb_insns[1]) {
		/* libbpf stopped before its CO-RE pass (no bpf() here) */
		printf("SKIP: libbpf did not reach program load\n");
		return check_failed ? 1 : 77;
	}
	compare(&lo, vm, "core_vm/task", 0);
	compare(&lo, vm, "core_vm/skb", 1);
	free(lb_insns[0]);
	free(lb_insns[1]);
	core_obj_close(&lo);
	bpfvm_btf_free(vm);
	return check_report();
}
