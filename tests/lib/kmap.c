/* Kernel maps through raw bpf(2) (see kmap.h). */
#include "kmap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/btf.h>
#include <bpfvm/map.h>

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	int r = (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return r < 0 ? -errno : r;
}

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

bool kmap_available(char *why, size_t why_size)
{
	static int state; /* 0 unknown, 1 yes, -errno no */

	if (state == 0) {
		int fd = kmap_create(&(struct kmap_attr){
			.type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
			.value_size = 8, .max_entries = 1 });

		state = fd < 0 ? fd : 1;
		if (fd >= 0)
			close(fd);
	}
	if (state < 0 && why && why_size)
		snprintf(why, why_size, "bpf(BPF_MAP_CREATE): %s",
			 strerror(-state));
	return state == 1;
}

int kmap_create(const struct kmap_attr *a)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = a->type;
	attr.key_size = a->key_size;
	attr.value_size = a->value_size;
	attr.max_entries = a->max_entries;
	attr.map_flags = a->map_flags;
	attr.numa_node = a->numa_node;
	attr.map_extra = a->map_extra;
	attr.inner_map_fd = (uint32_t)a->inner_map_fd;
	attr.btf_fd = a->btf_fd;
	attr.btf_key_type_id = a->btf_key_type_id;
	attr.btf_value_type_id = a->btf_value_type_id;
	if (a->name)
		strncpy(attr.map_name, a->name, sizeof(attr.map_name) - 1);
	return sys_bpf(BPF_MAP_CREATE, &attr);
}

static int elem_op(int cmd, int fd, const void *key, const void *value,
		   uint64_t flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = ptr(key);
	attr.value = ptr(value);
	attr.flags = flags;
	return sys_bpf(cmd, &attr);
}

int kmap_lookup(int fd, const void *key, void *value, uint64_t flags)
{
	return elem_op(BPF_MAP_LOOKUP_ELEM, fd, key, value, flags);
}

int kmap_update(int fd, const void *key, const void *value, uint64_t flags)
{
	return elem_op(BPF_MAP_UPDATE_ELEM, fd, key, value, flags);
}

int kmap_delete(int fd, const void *key)
{
	return elem_op(BPF_MAP_DELETE_ELEM, fd, key, NULL, 0);
}

int kmap_lookup_and_delete(int fd, const void *key, void *value,
			   uint64_t flags)
{
	return elem_op(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value, flags);
}

int kmap_get_next_key(int fd, const void *key, void *next_key)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = ptr(key);
	attr.next_key = ptr(next_key);
	return sys_bpf(BPF_MAP_GET_NEXT_KEY, &attr);
}

int kmap_freeze(int fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	return sys_bpf(BPF_MAP_FREEZE, &attr);
}

static int batch_op(int cmd, int fd, const void *in_batch, void *out_batch,
		    const void *keys, const void *values, uint32_t *count,
		    uint64_t elem_flags)
{
	union bpf_attr attr;
	int r;

	memset(&attr, 0, sizeof(attr));
	attr.batch.map_fd = (uint32_t)fd;
	attr.batch.in_batch = ptr(in_batch);
	attr.batch.out_batch = ptr(out_batch);
	attr.batch.keys = ptr(keys);
	attr.batch.values = ptr(values);
	attr.batch.count = *count;
	attr.batch.elem_flags = elem_flags;
	r = sys_bpf(cmd, &attr);
	*count = attr.batch.count;
	return r;
}

int kmap_lookup_batch(int fd, const void *in_batch, void *out_batch,
		      void *keys, void *values, uint32_t *count,
		      uint64_t elem_flags)
{
	return batch_op(BPF_MAP_LOOKUP_BATCH, fd, in_batch, out_batch, keys,
			values, count, elem_flags);
}

int kmap_lookup_and_delete_batch(int fd, const void *in_batch,
				 void *out_batch, void *keys, void *values,
				 uint32_t *count, uint64_t elem_flags)
{
	return batch_op(BPF_MAP_LOOKUP_AND_DELETE_BATCH, fd, in_batch,
			out_batch, keys, values, count, elem_flags);
}

int kmap_update_batch(int fd, const void *keys, const void *values,
		      uint32_t *count, uint64_t elem_flags)
{
	return batch_op(BPF_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, values,
			count, elem_flags);
}

int kmap_delete_batch(int fd, const void *keys, uint32_t *count,
		      uint64_t elem_flags)
{
	return batch_op(BPF_MAP_DELETE_BATCH, fd, NULL, NULL, keys, NULL,
			count, elem_flags);
}

int kmap_id(int fd)
{
	struct bpf_map_info info;
	union bpf_attr attr;
	int r;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = ptr(&info);
	r = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr);
	return r < 0 ? r : (int)info.id;
}

/* Both count /sys/devices/system/cpu/possible the way libbpf does. */
unsigned kmap_possible_cpus(void)
{
	return bpfvm_num_possible_cpus();
}

/* A minimal BTF: [1] int, [2] struct bpf_spin_lock { int val; },
 * [3] struct val { struct bpf_spin_lock l; } of value_size bytes with l at
 * lock_off, [4] char, [5] char[key_size] (the key when not 4 bytes). */
static const char btf_strs[] = "\0int\0bpf_spin_lock\0val\0l\0char";
enum { S_INT = 1, S_LOCK = 5, S_VAL = 19, S_L = 23, S_CHAR = 25 };

static uint32_t *btf_int(uint32_t *t, uint32_t name, uint32_t size)
{
	*t++ = name;
	*t++ = BTF_KIND_INT << 24;
	*t++ = size;
	*t++ = (BTF_INT_SIGNED << 24) | (size * 8);
	return t;
}

static uint32_t *btf_struct1(uint32_t *t, uint32_t name, uint32_t size,
			     uint32_t mname, uint32_t mtype, uint32_t moff)
{
	*t++ = name;
	*t++ = (BTF_KIND_STRUCT << 24) | 1;
	*t++ = size;
	*t++ = mname;
	*t++ = mtype;
	*t++ = moff * 8;
	return t;
}

static uint32_t *btf_array(uint32_t *t, uint32_t elem, uint32_t index,
			   uint32_t n)
{
	*t++ = 0;
	*t++ = BTF_KIND_ARRAY << 24;
	*t++ = 0;
	*t++ = elem;
	*t++ = index;
	*t++ = n;
	return t;
}

int kmap_btf_spin_lock(uint32_t key_size, uint32_t value_size,
		       uint32_t lock_off, uint32_t *key_id,
		       uint32_t *value_id)
{
	uint32_t buf[64] = { 0 };
	struct btf_header *h = (struct btf_header *)buf;
	uint32_t *types = buf + sizeof(*h) / 4, *t = types;
	union bpf_attr attr;

	t = btf_int(t, S_INT, 4);
	t = btf_struct1(t, S_LOCK, 4, S_VAL, 1, 0);
	t = btf_struct1(t, S_VAL, value_size, S_L, 2, lock_off);
	t = btf_int(t, S_CHAR, 1);
	t = btf_array(t, 4, 1, key_size);
	h->magic = BTF_MAGIC;
	h->version = BTF_VERSION;
	h->hdr_len = sizeof(*h);
	h->type_len = (uint32_t)((t - types) * 4);
	h->str_off = h->type_len;
	h->str_len = sizeof(btf_strs);
	memcpy(t, btf_strs, sizeof(btf_strs));
	memset(&attr, 0, sizeof(attr));
	attr.btf = ptr(buf);
	attr.btf_size = h->hdr_len + h->type_len + h->str_len;
	*key_id = key_size == 4 ? 1 : 5;
	*value_id = 3;
	return sys_bpf(BPF_BTF_LOAD, &attr);
}
