/* __sk_buff access rules of socket filters and tc at program creation:
 * what each type may read and write, with the message that names the
 * field, the rewrite into bpfvm's ctx (packet pointers as 8-byte loads,
 * narrow loads of narrow fields at the field's start, u16 stores), and
 * the helpers each type may call. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <bpfvm/bpfvm.h>

#include "check.h"
#include "insn_build.h"

#define SKB(f) ((int16_t)offsetof(struct __sk_buff, f))
#define SF BPF_PROG_TYPE_SOCKET_FILTER
#define CLS BPF_PROG_TYPE_SCHED_CLS
#define ACT BPF_PROG_TYPE_SCHED_ACT

static char log_buf[512];

/* Create a program of type t; 0 or -errno, log in log_buf. */
static int create(enum bpf_prog_type t, const struct bpf_insn *in, size_t n,
		  struct bpfvm_prog **out)
{
	struct bpfvm_prog_opts o = { .sz = sizeof(o), .prog_type = t,
				     .log_buf = log_buf,
				     .log_size = sizeof(log_buf) };

	log_buf[0] = '\0';
	*out = NULL;
	return bpfvm_prog_create(in, n, &o, out);
}

/* One access of the ctx (r1) at off: a load of size into r0, or a
 * store of r1 there; what creation returns. */
static int access(enum bpf_prog_type t, int size, int16_t off, int write,
		  int sign)
{
	struct bpf_insn p[3] = {
		write ? STX(size, 1, 1, off)
		      : sign ? LDXSX(size, 0, 1, off) : LDX(size, 0, 1, off),
		MOV64_IMM(0, 0), EXIT(),
	};
	struct bpfvm_prog *prog;
	int err = create(t, p, 3, &prog);

	bpfvm_prog_free(prog);
	return err;
}

static void check_refused(enum bpf_prog_type t, int size, int16_t off,
			  int write, const char *msg)
{
	int err = access(t, size, off, write, 0);

	CHECK_EQ_U64(err, -EACCES);
	if (!strstr(log_buf, msg)) {
		CHECK(!"message");
		fprintf(stderr, "  type %d size %d off %d write %d: '%s', "
			"want '%s'\n", t, size, off, write, log_buf, msg);
	}
}

static void refusals(void)
{
	check_refused(SF, BPF_W, SKB(data), 0,
		      "__sk_buff->data is not accessible to socket filters");
	check_refused(SF, BPF_W, SKB(data_end), 0, "data_end");
	check_refused(SF, BPF_W, SKB(tc_classid), 0, "tc_classid");
	check_refused(SF, BPF_W, SKB(wire_len), 0, "wire_len");
	check_refused(SF, BPF_DW, SKB(tstamp), 0, "tstamp");
	check_refused(SF, BPF_W, SKB(mark), 1,
		      "write to __sk_buff->mark is not allowed for socket "
		      "filters");
	check_refused(CLS, BPF_W, SKB(len), 1,
		      "write to __sk_buff->len is not allowed for tc");
	check_refused(CLS, BPF_W, SKB(family), 0,
		      "is not accessible to tc programs");
	check_refused(ACT, BPF_W, SKB(local_port), 0, "not accessible");
	check_refused(CLS, BPF_DW, SKB(len), 0,
		      "8-byte load of the u32 __sk_buff->len");
	check_refused(CLS, BPF_H, SKB(len) + 1, 0, "misaligned");
	check_refused(CLS, BPF_DW, SKB(cb[4]), 0, "runs past cb[4]");
	check_refused(CLS, BPF_DW, SKB(cb[2]) + 4, 0, "misaligned");
	check_refused(CLS, BPF_H, SKB(mark), 1, "fields are written as whole");
	check_refused(CLS, BPF_H, SKB(data), 0, "packet pointer");
	check_refused(CLS, BPF_W, SKB(tstamp), 0, "read as 8 bytes");
	check_refused(CLS, BPF_W, SKB(tstamp), 1, "written as 8 bytes");
	check_refused(CLS, BPF_H, SKB(tstamp_type), 0, "read as 1 byte");
	check_refused(CLS, BPF_B, SKB(tstamp_type), 1, "not allowed");
	check_refused(CLS, BPF_B, SKB(tstamp_type) + 1, 0, "padding");
	check_refused(CLS, BPF_DW, SKB(sk), 0, "bpfvm has no sockets");
	check_refused(CLS, BPF_DW, SKB(flow_keys), 0, "flow_keys");
	check_refused(CLS, BPF_W, SKB(queue_mapping), 1,
		      "queue_mapping: not supported by bpfvm");
	check_refused(CLS, BPF_DW, SKB(hwtstamp), 1, "not allowed");
	check_refused(CLS, BPF_W, (int16_t)sizeof(struct __sk_buff), 0,
		      "past struct __sk_buff");
	CHECK_EQ_U64(access(CLS, BPF_W, SKB(data), 0, 1), -EACCES);
	CHECK(strstr(log_buf, "sign-extending") != NULL);
	/* what is allowed */
	CHECK_EQ_U64(access(SF, BPF_B, SKB(cb[2]) + 3, 1, 0), 0);
	CHECK_EQ_U64(access(SF, BPF_DW, SKB(cb[0]), 0, 0), 0);
	CHECK_EQ_U64(access(SF, BPF_B, SKB(protocol) + 3, 0, 0), 0);
	CHECK_EQ_U64(access(CLS, BPF_W, SKB(tc_classid), 1, 0), 0);
	CHECK_EQ_U64(access(CLS, BPF_DW, SKB(tstamp), 1, 0), 0);
	CHECK_EQ_U64(access(CLS, BPF_DW, SKB(hwtstamp), 0, 0), 0);
	CHECK_EQ_U64(access(ACT, BPF_W, SKB(data_meta), 0, 0), 0);
	CHECK_EQ_U64(access(CLS, BPF_B, SKB(tstamp_type), 0, 0), 0);
	CHECK_EQ_U64(access(CLS, BPF_H, SKB(gso_size) + 2, 0, 1), 0);
}

/* The xlated form of one access. */
static struct bpf_insn rewritten(enum bpf_prog_type t, struct bpf_insn in)
{
	struct bpf_insn p[3] = { in, MOV64_IMM(0, 0), EXIT() };
	struct bpf_insn r = { 0 };
	struct bpfvm_prog *prog;

	if (!create(t, p, 3, &prog))
		r = bpfvm_prog_xlated_insns(prog)[0];
	bpfvm_prog_free(prog);
	return r;
}

static void rewrites(void)
{
	struct bpf_insn r;

	r = rewritten(CLS, LDX(BPF_W, 2, 1, SKB(data)));
	CHECK_EQ_U64(r.code, BPF_LDX | BPF_MEM | BPF_DW);
	CHECK_EQ_U64(r.off, sizeof(struct __sk_buff));
	CHECK_EQ_U64(r.dst_reg, 2);
	r = rewritten(CLS, LDX(BPF_W, 3, 1, SKB(data_end)));
	CHECK_EQ_U64(r.off, sizeof(struct __sk_buff) + 8);
	r = rewritten(CLS, LDX(BPF_W, 3, 1, SKB(data_meta)));
	CHECK_EQ_U64(r.off, sizeof(struct __sk_buff) + 16);
	/* the whole u16 field wherever a 2-byte load points */
	r = rewritten(SF, LDX(BPF_H, 0, 1, SKB(protocol) + 2));
	CHECK_EQ_U64(r.code, BPF_LDX | BPF_MEM | BPF_H);
	CHECK_EQ_U64(r.off, SKB(protocol));
	r = rewritten(SF, LDX(BPF_B, 0, 1, SKB(pkt_type) + 3));
	CHECK_EQ_U64(r.off, SKB(pkt_type));
	/* smaller than the field: the byte in place */
	r = rewritten(SF, LDX(BPF_B, 0, 1, SKB(protocol) + 1));
	CHECK_EQ_U64(r.off, SKB(protocol) + 1);
	r = rewritten(SF, LDX(BPF_H, 0, 1, SKB(len) + 2));
	CHECK_EQ_U64(r.off, SKB(len) + 2);
	/* u16 fields are stored as u16 */
	r = rewritten(CLS, STX(BPF_W, 1, 2, SKB(tc_index)));
	CHECK_EQ_U64(r.code, BPF_STX | BPF_MEM | BPF_H);
	CHECK_EQ_U64(r.off, SKB(tc_index));
	r = rewritten(CLS, ST_IMM(BPF_W, 1, SKB(tc_classid), 7));
	CHECK_EQ_U64(r.code, BPF_ST | BPF_MEM | BPF_H);
	r = rewritten(CLS, STX(BPF_W, 1, 2, SKB(mark)));
	CHECK_EQ_U64(r.code, BPF_STX | BPF_MEM | BPF_W);
}

static int calls(enum bpf_prog_type t, int id)
{
	struct bpf_insn p[3] = { CALL_HELPER(id), MOV64_IMM(0, 0), EXIT() };
	struct bpfvm_prog *prog;
	int err = create(t, p, 3, &prog);

	bpfvm_prog_free(prog);
	return err;
}

static void helpers(void)
{
	CHECK_EQ_U64(calls(SF, BPF_FUNC_skb_store_bytes), -EINVAL);
	CHECK(strstr(log_buf, "program type socket_filter may not call") !=
	      NULL);
	CHECK_EQ_U64(calls(SF, BPF_FUNC_l3_csum_replace), -EINVAL);
	CHECK_EQ_U64(calls(SF, BPF_FUNC_skb_change_head), -EINVAL);
	CHECK_EQ_U64(calls(SF, BPF_FUNC_xdp_adjust_head), -EINVAL);
	CHECK_EQ_U64(calls(CLS, BPF_FUNC_xdp_adjust_head), -EINVAL);
	CHECK(strstr(log_buf, "program type sched_cls may not call") != NULL);
	CHECK_EQ_U64(calls(SF, BPF_FUNC_skb_load_bytes), 0);
	CHECK_EQ_U64(calls(SF, BPF_FUNC_skb_load_bytes_relative), 0);
	CHECK_EQ_U64(calls(SF, BPF_FUNC_map_lookup_elem), 0);
	CHECK_EQ_U64(calls(CLS, BPF_FUNC_skb_store_bytes), 0);
	CHECK_EQ_U64(calls(ACT, BPF_FUNC_l4_csum_replace), 0);
	CHECK_EQ_U64(calls(CLS, BPF_FUNC_skb_change_tail), 0);
	CHECK_EQ_U64(calls(CLS, BPF_FUNC_csum_diff), 0);
	/* allowed by the type, not implemented by bpfvm: refused at load */
	CHECK(calls(CLS, BPF_FUNC_skb_get_tunnel_key) < 0);
	CHECK(strstr(log_buf, "unknown helper 20") != NULL);
	CHECK(calls(CLS, BPF_FUNC_fib_lookup) < 0);
	CHECK(calls(CLS, BPF_FUNC_get_hash_recalc) < 0);
	CHECK(calls(SF, BPF_FUNC_get_socket_cookie) < 0);
}

int main(void)
{
	refusals();
	rewrites();
	helpers();
	return check_report();
}
