/* bpfvm_section_type against libbpf's own libbpf_prog_type_by_name
 * (Debian's libbpf 1.1): every name both know must give the same program
 * and attach type. Names libbpf 1.1 does not know yet (tcx, netkit,
 * *_unix, sessions, ...) are checked against the spec's table in
 * test_loader_open_secdef; names it refuses that bpfvm accepts are the
 * pre-1.0 prefixes, listed here so a new refusal shows up. */
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>

#include <bpfvm/object.h>
#include "check.h"

static const char *const names[] = {
	"socket", "sk_reuseport", "sk_reuseport/migrate", "kprobe",
	"kprobe/do_unlinkat", "uprobe", "uprobe//bin/sh:main", "uprobe.s/x",
	"kretprobe/x", "uretprobe/x", "uretprobe.s/x", "kprobe.multi/x*",
	"kretprobe.multi/x", "ksyscall/write", "kretsyscall/write", "usdt",
	"usdt/x:y:z", "usdt.s/x", "tc", "classifier", "action",
	"tracepoint/a/b", "tp/a/b", "raw_tracepoint/x", "raw_tp/x",
	"raw_tracepoint.w/x", "raw_tp.w/x", "tp_btf/x", "fentry/x",
	"fmod_ret/x", "fexit/x", "fentry.s/x", "fmod_ret.s/x", "fexit.s/x",
	"freplace/x", "lsm/x", "lsm.s/x", "lsm_cgroup/x", "iter/task",
	"iter.s/task", "syscall", "xdp.frags/devmap", "xdp/devmap",
	"xdp.frags/cpumap", "xdp/cpumap", "xdp.frags", "xdp", "perf_event",
	"lwt_in", "lwt_out", "lwt_xmit", "lwt_seg6local", "sockops",
	"sk_skb/stream_parser", "sk_skb/stream_verdict", "sk_skb/verdict",
	"sk_skb", "sk_msg", "lirc_mode2", "flow_dissector",
	"cgroup_skb/ingress", "cgroup_skb/egress", "cgroup/skb",
	"cgroup/sock_create", "cgroup/sock_release", "cgroup/sock",
	"cgroup/post_bind4", "cgroup/post_bind6", "cgroup/bind4",
	"cgroup/bind6", "cgroup/connect4", "cgroup/connect6",
	"cgroup/sendmsg4", "cgroup/sendmsg6", "cgroup/recvmsg4",
	"cgroup/recvmsg6", "cgroup/getpeername4", "cgroup/getpeername6",
	"cgroup/getsockname4", "cgroup/getsockname6", "cgroup/sysctl",
	"cgroup/getsockopt", "cgroup/setsockopt", "cgroup/dev",
	"struct_ops/x", "struct_ops.s/x", "sk_lookup", ".text", "prog",
	"kprobex", "tc/other",
};

/* libbpf >= 1.0 refuses these; bpfvm reads them as libbpf 0.x did. */
static const char *const sloppy[] = {
	"socket1", "xdp_prog", "classifier/x", "action_x", "perf_event_x",
	"sockops_x", "sk_msg_x",
};

int main(void)
{
	size_t compared = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		enum bpf_prog_type lt, bt;
		enum bpf_attach_type la, ba;
		int lerr = libbpf_prog_type_by_name(names[i], &lt, &la);
		int berr = bpfvm_section_type(names[i], &bt, &ba);

		if (lerr == -ESRCH && berr == 0)
			continue;	/* newer than libbpf 1.1 */
		compared++;
		if (lerr != berr || (!lerr && (lt != bt || la != ba)))
			fprintf(stderr, "'%s': libbpf %d %d %d, bpfvm %d %d %d\n",
				names[i], lerr, lerr ? 0 : lt, lerr ? 0 : la,
				berr, berr ? 0 : bt, berr ? 0 : ba);
		CHECK(lerr == berr);
		CHECK(lerr || (lt == bt && la == ba));
	}
	CHECK(compared > 80);
	for (size_t i = 0; i < sizeof(sloppy) / sizeof(sloppy[0]); i++) {
		enum bpf_prog_type t;
		enum bpf_attach_type a;

		CHECK(libbpf_prog_type_by_name(sloppy[i], &t, &a) == -ESRCH);
		CHECK(bpfvm_section_type(sloppy[i], &t, &a) == 0);
	}
	printf("%zu names compared with libbpf %s\n", compared,
	       libbpf_version_string());
	return check_report();
}
