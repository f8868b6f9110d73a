/* The misc helpers called directly: clocks, jiffies, random numbers, the
 * current task's ids and name, CPU/NUMA ids, bpf_spin_lock; and that each
 * built-in helper has a prototype and is in a new environment. */
#include <errno.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <bpfvm/bpfvm.h>
#include "check.h"
#include "helpers/hlp_priv.h"
#include "hlp_call.h"

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void test_clocks(void)
{
	uint64_t before = now_ns(CLOCK_MONOTONIC);
	uint64_t t = HCALL0(BPF_FUNC_ktime_get_ns);
	uint64_t boot = HCALL0(BPF_FUNC_ktime_get_boot_ns);
	uint64_t coarse = HCALL0(BPF_FUNC_ktime_get_coarse_ns);
	uint64_t tai = HCALL0(BPF_FUNC_ktime_get_tai_ns);
	uint64_t after = now_ns(CLOCK_MONOTONIC);

	CHECK(t >= before && t <= after);
	CHECK(boot >= before);	/* boot time includes suspend */
	/* coarse lags by at most a tick or so */
	CHECK(coarse <= after && coarse + 100000000u >= before);
	CHECK(tai > now_ns(CLOCK_REALTIME) - 1000000000u);
	CHECK(HCALL0(BPF_FUNC_ktime_get_ns) >= t);
}

static void test_jiffies(void)
{
	uint64_t hz = hlp_jiffies_hz(), j0, j1;
	uint64_t initial = (uint32_t)(-300 * (int64_t)hz);
	struct timespec nap = { 0, 100000000 };

	CHECK(hz >= 100 && hz <= 1000);
	j0 = HCALL0(BPF_FUNC_jiffies64);
	nanosleep(&nap, NULL);
	j1 = HCALL0(BPF_FUNC_jiffies64);
	CHECK(j0 >= initial);
	/* 100 ms is hz / 10 jiffies; allow for a slow machine */
	CHECK(j1 - j0 >= hz / 10 - 1 && j1 - j0 <= hz);
}

static void *other_thread_random(void *arg)
{
	*(uint64_t *)arg = HCALL0(BPF_FUNC_get_prandom_u32) << 32 |
			   HCALL0(BPF_FUNC_get_prandom_u32);
	return NULL;
}

static void test_prandom(void)
{
	uint32_t all_or = 0, all_and = ~0u, first, same = 0;
	uint64_t mine, theirs = 0;
	pthread_t t;

	first = (uint32_t)HCALL0(BPF_FUNC_get_prandom_u32);
	for (int i = 0; i < 1000; i++) {
		uint64_t v = HCALL0(BPF_FUNC_get_prandom_u32);

		CHECK(v <= UINT32_MAX);
		all_or |= (uint32_t)v;
		all_and &= (uint32_t)v;
		same += v == first;
	}
	CHECK_EQ_U64(all_or, UINT32_MAX);	/* every bit varies */
	CHECK_EQ_U64(all_and, 0);
	CHECK(same < 3);
	/* another thread has its own sequence */
	mine = HCALL0(BPF_FUNC_get_prandom_u32) << 32 |
	       HCALL0(BPF_FUNC_get_prandom_u32);
	pthread_create(&t, NULL, other_thread_random, &theirs);
	pthread_join(t, NULL);
	CHECK(mine != theirs);
}

static void test_ids(void)
{
	uint64_t pt = HCALL0(BPF_FUNC_get_current_pid_tgid);
	uint64_t ug = HCALL0(BPF_FUNC_get_current_uid_gid);
	unsigned cpu;

	CHECK_EQ_U64(pt >> 32, (uint64_t)getpid());
	CHECK_EQ_U64(pt & 0xffffffffu, (uint64_t)gettid());
	CHECK_EQ_U64(ug >> 32, getgid());
	CHECK_EQ_U64(ug & 0xffffffffu, getuid());
	CHECK_EQ_U64(HCALL0(BPF_FUNC_get_numa_node_id), 0);
	cpu = bpfvm_num_possible_cpus() - 1;
	CHECK(bpfvm_thread_set_cpu(cpu) == 0);
	CHECK_EQ_U64(HCALL0(BPF_FUNC_get_smp_processor_id), cpu);
	CHECK(bpfvm_thread_set_cpu(0) == 0);
	CHECK_EQ_U64(HCALL0(BPF_FUNC_get_smp_processor_id), 0);
}

static uint64_t comm(char *buf, uint32_t size)
{
	memset(buf, 0x7f, 40);
	return hcall(BPF_FUNC_get_current_comm, P(buf), size, 0, 0, 0);
}

static void test_comm(void)
{
	char buf[40];

	prctl(PR_SET_NAME, "bpfvm-comm-test-long-name");
	CHECK_EQ_U64(comm(buf, 32), 0);
	CHECK_STREQ(buf, "bpfvm-comm-test"); /* the kernel keeps 15 */
	CHECK(buf[31] == 0 && buf[20] == 0);	/* zero-padded to size */
	CHECK(buf[32] == 0x7f);			/* and no further */
	CHECK_EQ_U64(comm(buf, 4), 0);
	CHECK_STREQ(buf, "bpf");
	CHECK(buf[4] == 0x7f);
	CHECK_EQ_U64(comm(buf, 1), 0);
	CHECK(buf[0] == 0 && buf[1] == 0x7f);
	CHECK_EQ_U64(comm(buf, 0), 0);	/* the verifier forbids; no write */
	CHECK(buf[0] == 0x7f);
}

struct lock_ctx {
	uint32_t lock;
	uint64_t counter;
};

static void *lock_worker(void *arg)
{
	struct lock_ctx *c = arg;

	for (int i = 0; i < 200000; i++) {
		hcall(BPF_FUNC_spin_lock, P(&c->lock), 0, 0, 0, 0);
		c->counter++;
		hcall(BPF_FUNC_spin_unlock, P(&c->lock), 0, 0, 0, 0);
	}
	return NULL;
}

static void test_spin_lock(void)
{
	struct lock_ctx c = { 0, 0 };
	pthread_t t[3];

	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, lock_worker, &c);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ_U64(c.counter, 600000);
	CHECK_EQ_U64(c.lock, 0);
}

/* Every group's helpers are registered under their ids in a new env,
 * and their prototypes say what the kernel's do. */
static void test_table(void)
{
	static const uint32_t ids[] = {
		BPF_FUNC_map_lookup_elem, BPF_FUNC_ktime_get_ns,
		BPF_FUNC_trace_printk, BPF_FUNC_probe_read_kernel,
		BPF_FUNC_strtol, BPF_FUNC_csum_diff, BPF_FUNC_snprintf,
		BPF_FUNC_get_current_comm, BPF_FUNC_spin_lock,
		BPF_FUNC_jiffies64, BPF_FUNC_map_lookup_percpu_elem,
	};
	struct bpfvm_env *env = NULL;

	CHECK(bpfvm_env_create(&env) == 0);
	for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++) {
		const struct helper_def *d = helper_def_find(ids[i]);

		CHECK(d && d->fn == bpfvm_helper_find(env, ids[i]));
	}
	bpfvm_env_free(env);
	CHECK(helper_def_find(BPF_FUNC_map_lookup_elem)->proto.ret ==
	      HRET_MAP_VALUE_OR_NULL);
	CHECK(helper_def_find(BPF_FUNC_spin_lock)->proto.args[0] ==
	      HARG_PTR_TO_SPIN_LOCK);
	CHECK(helper_def_find(BPF_FUNC_trace_printk)->proto.gpl_only);
	CHECK(!helper_def_find(BPF_FUNC_strtol)->proto.gpl_only);
	CHECK(helper_def_find(BPF_FUNC_strncmp)->proto.args[2] ==
	      HARG_PTR_TO_CONST_STR);
}

int main(void)
{
	test_clocks();
	test_jiffies();
	test_prandom();
	test_ids();
	test_comm();
	test_spin_lock();
	test_table();
	return check_report();
}
