/* core_clock_ns (clock.h). */
#include "core/clock.h"

#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

/* Calibration window: clock_gettime's cost (~40 ns) over it is an error
 * of a few parts per 100000. */
#define CALIBRATE_NS 1000000u

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__)
/* ns = ticks * mult >> 32; mult 0: no usable TSC. Written once, before
 * clock_once returns to any thread, and before ready is set (which
 * spares later calls pthread_once's call). */
static uint64_t tsc_mult;
static pthread_once_t clock_once = PTHREAD_ONCE_INIT;
static bool ready;

static bool tsc_invariant(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000007u)
		return false;
	__get_cpuid(0x80000007u, &a, &b, &c, &d);
	return d & (1u << 8);
}

/* One CLOCK_MONOTONIC reading and the TSC at that moment: the midpoint
 * of the tightest of a few rdtsc brackets around it (the first
 * clock_gettime of a process can take tens of microseconds). */
static void read_pair(uint64_t *tsc, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;

	for (int k = 0; k < 5; k++) {
		uint64_t a = __rdtsc(), n = mono_ns(), b = __rdtsc();

		if (b - a < best) {
			best = b - a;
			*tsc = a + (b - a) / 2;
			*ns = n;
		}
	}
}

/* Ticks per ns over a window of CALIBRATE_NS. */
static void clock_calibrate(void)
{
	uint64_t t0 = 0, t1 = 0, n0 = 0, n1 = 0;

	if (!tsc_invariant())
		return;
	read_pair(&t0, &n0);
	do
		read_pair(&t1, &n1);
	while (n1 - n0 < CALIBRATE_NS);
	if (t1 <= t0)
		return;
	tsc_mult = (uint64_t)(((unsigned __int128)(n1 - n0) << 32) /
			      (t1 - t0));
}

uint64_t core_clock_ns(void)
{
	if (__builtin_expect(!__atomic_load_n(&ready, __ATOMIC_ACQUIRE), 0)) {
		pthread_once(&clock_once, clock_calibrate);
		__atomic_store_n(&ready, true, __ATOMIC_RELEASE);
	}
	if (!tsc_mult)
		return mono_ns();
	return (uint64_t)(((unsigned __int128)__rdtsc() * tsc_mult) >> 32);
}
#else
uint64_t core_clock_ns(void)
{
	return mono_ns();
}
#endif
