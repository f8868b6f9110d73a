/* CO-RE against the running kernel's BTF (issue 5 tests): a few real
 * kernel structs as a program sees them, relocated by bpfvm and by
 * libbpf in tests/unit/test_core_libbpf.c, which compares the two. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define CORE __attribute__((preserve_access_index))

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	struct task_struct *real_parent;
} CORE;

/* kernels before 5.14 named it `state` */
struct task_struct___old {
	long state;
} CORE;

struct task_struct___new {
	unsigned int __state;
} CORE;

struct sk_buff {
	unsigned int len;
	__u8 pkt_type : 3;
	__u16 protocol;
	struct net_device *dev;
} CORE;

struct net_device {
	int ifindex;
} CORE;

struct core_no_such_kernel_type {
	int x;
} CORE;

SEC("core_vm/task")
long vm_task(struct task_struct *t)
{
	struct task_struct___old *o = (void *)t;
	struct task_struct___new *n = (void *)t;
	long r = t->pid + t->tgid + t->real_parent->pid;

	r += bpf_core_field_size(t->comm) << 8;
	r += bpf_core_field_exists(o->state) ? o->state : n->__state;
	r += bpf_core_type_size(struct task_struct) << 16;
	r += (long)bpf_core_type_exists(struct core_no_such_kernel_type) << 40;
	r += bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF);
	r += bpf_core_enum_value_exists(enum bpf_map_type,
					BPF_MAP_TYPE_USER_RINGBUF);
	r += (long)bpf_core_type_id_kernel(struct sk_buff) << 20;
	return r;
}

SEC("core_vm/skb")
long vm_skb(struct sk_buff *skb)
{
	return skb->len + skb->protocol + skb->dev->ifindex +
	       BPF_CORE_READ_BITFIELD(skb, pkt_type);
}

char LICENSE[] SEC("license") = "GPL";
