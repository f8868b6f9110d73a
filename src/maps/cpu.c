/* "CPUs" of per-CPU maps: as many slots as the machine's possible CPUs (so
 * user-space buffers are sized as libbpf sizes them); each thread sits in
 * one slot, assigned round-robin on first use. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "maps/map_priv.h"

/* Read on every per-CPU lookup: a plain atomic load once known. */
static atomic_uint possible_cpus;
static pthread_once_t possible_once = PTHREAD_ONCE_INIT;
static atomic_uint next_slot;
/* slot + 1; 0: not yet. Static TLS (initial-exec), so its offset from
 * the thread pointer is the same in every thread: the JIT reads it
 * inline for PERCPU_ARRAY lookups (map_cpu_slot_tls_off). */
static _Thread_local unsigned thread_slot
	__attribute__((tls_model("initial-exec")));

/* A sysfs list ("0-N", or "0,2-3") as highest entry + 1, the way libbpf
 * counts possible CPUs; 0 when unreadable. */
unsigned map_sysfs_count(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned lo, hi, max = 0;
	int c;

	while (f && fscanf(f, "%u", &lo) == 1) {
		hi = lo;
		c = fgetc(f);
		if (c == '-' && fscanf(f, "%u", &hi) == 1)
			c = fgetc(f);
		if (hi + 1 > max)
			max = hi + 1;
		if (c != ',')
			break;
	}
	if (f)
		fclose(f);
	return max;
}

static void possible_init(void)
{
	unsigned max = map_sysfs_count("/sys/devices/system/cpu/possible");

	if (!max) {
		long n = sysconf(_SC_NPROCESSORS_CONF);

		max = n > 0 ? (unsigned)n : 1;
	}
	atomic_store_explicit(&possible_cpus, max, memory_order_relaxed);
}

unsigned bpfvm_num_possible_cpus(void)
{
	unsigned n = atomic_load_explicit(&possible_cpus, memory_order_relaxed);

	if (__builtin_expect(n != 0, 1))
		return n;
	pthread_once(&possible_once, possible_init);
	return atomic_load_explicit(&possible_cpus, memory_order_relaxed);
}

unsigned map_cpu_current(void)
{
	if (__builtin_expect(!thread_slot, 0))
		thread_slot = atomic_fetch_add(&next_slot, 1) %
				      bpfvm_num_possible_cpus() + 1;
	return thread_slot - 1;
}

#if defined(__x86_64__)
intptr_t map_cpu_slot_tls_off(void)
{
	uintptr_t tp;

	__asm__("mov %%fs:0, %0" : "=r"(tp));
	return (intptr_t)((uintptr_t)&thread_slot - tp);
}
#endif

unsigned bpfvm_thread_cpu(void)
{
	return map_cpu_current();
}

int bpfvm_thread_set_cpu(unsigned cpu)
{
	if (cpu >= bpfvm_num_possible_cpus())
		return -EINVAL;
	thread_slot = cpu + 1;
	return 0;
}
