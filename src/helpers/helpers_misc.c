/* Built-in helpers: misc group — clocks, jiffies, random numbers, the
 * current task's ids and name, NUMA/CPU ids and bpf_spin_lock. "Current
 * task" is the calling thread: pid = its tid, tgid = the process id. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "helpers/helpers.h"
#include "helpers/hlp_priv.h"
#include "maps/map_priv.h"

#define UNUSED5 (void)r1, (void)r2, (void)r3, (void)r4, (void)r5, (void)run
#define NSEC_PER_SEC 1000000000ull

uint64_t hlp_clock_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* The kernel's ktime helpers are these clocks. */
#define CLOCK_HELPER(name, clk)                                              \
	static uint64_t name(uint64_t r1, uint64_t r2, uint64_t r3,          \
			     uint64_t r4, uint64_t r5, struct bpfvm_run *run)\
	{                                                                    \
		UNUSED5;                                                     \
		return hlp_clock_ns(clk);                                    \
	}

CLOCK_HELPER(ktime_get_ns, CLOCK_MONOTONIC)
CLOCK_HELPER(ktime_get_boot_ns, CLOCK_BOOTTIME)
CLOCK_HELPER(ktime_get_coarse_ns, CLOCK_MONOTONIC_COARSE)
CLOCK_HELPER(ktime_get_tai_ns, CLOCK_TAI)

/* The kernel's tick rate (CONFIG_HZ) is not visible to user space
 * (sysconf's clock ticks are USER_HZ, always 100). Taken from BPFVM_HZ,
 * else the running kernel's /boot/config-<release>, else 250 (the common
 * distribution default). */
static unsigned long hz;
static pthread_once_t hz_once = PTHREAD_ONCE_INIT;

static unsigned long hz_from_config(void)
{
	struct utsname u;
	char path[sizeof(u.release) + 16], line[128];
	unsigned long v = 0;
	FILE *f;

	if (uname(&u))
		return 0;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!v && fgets(line, sizeof(line), f))
		if (strncmp(line, "CONFIG_HZ=", 10) == 0)
			v = strtoul(line + 10, NULL, 10);
	fclose(f);
	return v;
}

static void hz_init(void)
{
	const char *env = getenv("BPFVM_HZ");
	unsigned long v = env ? strtoul(env, NULL, 10) : 0;

	if (!v || v > 100000)
		v = hz_from_config();
	hz = v && v <= 100000 ? v : 250;
}

unsigned long hlp_jiffies_hz(void)
{
	pthread_once(&hz_once, hz_init);
	return hz;
}

/* jiffies_64 starts at INITIAL_JIFFIES, five minutes before the 32-bit
 * wrap, at boot (the monotonic clock's zero). */
uint64_t hlp_jiffies64(void)
{
	unsigned long h = hlp_jiffies_hz();
	uint64_t initial = (uint32_t)(-300 * (int64_t)h);
	uint64_t ns = hlp_clock_ns(CLOCK_MONOTONIC);

	return initial + ns / NSEC_PER_SEC * h +
	       ns % NSEC_PER_SEC * h / NSEC_PER_SEC;
}

static uint64_t jiffies64(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			  uint64_t r5, struct bpfvm_run *run)
{
	UNUSED5;
	return hlp_jiffies64();
}

/* Per-thread splitmix64, seeded once from getrandom(): fast, and no
 * thread can infer another's sequence (not cryptographic, as the
 * kernel's). */
static _Thread_local uint64_t rnd_state;
static _Thread_local int rnd_seeded;

static void rnd_seed(void)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s))
		s = hlp_clock_ns(CLOCK_MONOTONIC) ^
		    ((uint64_t)(uintptr_t)&rnd_state << 17) ^
		    (uint64_t)gettid();
	rnd_state = s;
	rnd_seeded = 1;
}

uint32_t hlp_prandom_u32(void)
{
	uint64_t z;

	if (__builtin_expect(!rnd_seeded, 0))
		rnd_seed();
	z = (rnd_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static uint64_t get_prandom_u32(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	UNUSED5;
	return hlp_prandom_u32();
}

static uint64_t get_smp_processor_id(uint64_t r1, uint64_t r2, uint64_t r3,
				     uint64_t r4, uint64_t r5,
				     struct bpfvm_run *run)
{
	UNUSED5;
	return map_cpu_current();
}

/* One NUMA node as far as bpfvm's per-CPU slots go. */
static uint64_t get_numa_node_id(uint64_t r1, uint64_t r2, uint64_t r3,
				 uint64_t r4, uint64_t r5,
				 struct bpfvm_run *run)
{
	UNUSED5;
	return 0;
}

static uint64_t get_current_pid_tgid(uint64_t r1, uint64_t r2, uint64_t r3,
				     uint64_t r4, uint64_t r5,
				     struct bpfvm_run *run)
{
	UNUSED5;
	return (uint64_t)(uint32_t)getpid() << 32 | (uint32_t)gettid();
}

static uint64_t get_current_uid_gid(uint64_t r1, uint64_t r2, uint64_t r3,
				    uint64_t r4, uint64_t r5,
				    struct bpfvm_run *run)
{
	UNUSED5;
	return (uint64_t)getgid() << 32 | getuid();
}

int hlp_current_comm(char comm[16])
{
	memset(comm, 0, 16);
	return prctl(PR_GET_NAME, comm) ? -EINVAL : 0;
}

/* As strscpy_pad: at most size - 1 bytes of the name, then zeroes up to
 * size. The kernel's verifier makes size > 0; 0 writes nothing. */
static uint64_t get_current_comm(uint64_t r1, uint64_t r2, uint64_t r3,
				 uint64_t r4, uint64_t r5,
				 struct bpfvm_run *run)
{
	char *buf = (char *)(uintptr_t)r1, comm[16];
	uint32_t size = (uint32_t)r2;
	size_t n;

	(void)r3, (void)r4, (void)r5, (void)run;
	if (!size)
		return 0;
	if (hlp_current_comm(comm)) {
		memset(buf, 0, size);
		return (uint64_t)-EINVAL;
	}
	n = strnlen(comm, sizeof(comm) - 1);
	if (n > size - 1)
		n = size - 1;
	memcpy(buf, comm, n);
	memset(buf + n, 0, size - n);
	return 0;
}

static uint64_t spin_lock(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			  uint64_t r5, struct bpfvm_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	map_spin_lock((uint32_t *)(uintptr_t)r1);
	return 0;
}

static uint64_t spin_unlock(uint64_t r1, uint64_t r2, uint64_t r3,
			    uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	map_spin_unlock((uint32_t *)(uintptr_t)r1);
	return 0;
}

#define DEF(id, fn, r, ...) \
	{ BPF_FUNC_##id, fn, { .ret = (r), .args = { __VA_ARGS__ } } }
#define DEF0(id) DEF(id, id, HRET_INTEGER, HARG_NONE)

const struct helper_def hlp_misc[] = {
	DEF0(ktime_get_ns),
	DEF0(ktime_get_boot_ns),
	DEF0(ktime_get_coarse_ns),
	DEF0(ktime_get_tai_ns),
	DEF0(jiffies64),
	DEF0(get_prandom_u32),
	DEF0(get_smp_processor_id),
	DEF0(get_numa_node_id),
	DEF0(get_current_pid_tgid),
	DEF0(get_current_uid_gid),
	DEF(get_current_comm, get_current_comm, HRET_INTEGER,
	    HARG_PTR_TO_UNINIT_MEM, HARG_CONST_SIZE),
	DEF(spin_lock, spin_lock, HRET_VOID, HARG_PTR_TO_SPIN_LOCK),
	DEF(spin_unlock, spin_unlock, HRET_VOID, HARG_PTR_TO_SPIN_LOCK),
	{ 0 },
};
