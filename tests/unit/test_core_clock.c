/* core_clock_ns (src/core/clock.h): never goes back, within a thread and
 * across threads started after it, and runs at CLOCK_MONOTONIC's rate
 * (the calibration's factor): over a 50 ms sleep the two agree within
 * 2% plus the sleep's own jitter allowance. */
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "check.h"
#include "core/clock.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *reader(void *arg)
{
	uint64_t *out = arg, prev = core_clock_ns();
	int backwards = 0;

	for (int i = 0; i < 100000; i++) {
		uint64_t t = core_clock_ns();

		backwards += t < prev;
		prev = t;
	}
	out[0] = (uint64_t)backwards;
	out[1] = prev;
	return NULL;
}

int main(void)
{
	struct timespec nap = { 0, 50 * 1000 * 1000 };
	uint64_t c0, m0, c1, m1, dc, dm, res[4][2], before;
	pthread_t th[4];

	c0 = core_clock_ns();
	m0 = mono_ns();
	nanosleep(&nap, NULL);
	c1 = core_clock_ns();
	m1 = mono_ns();
	dc = c1 - c0;
	dm = m1 - m0;
	CHECK(c1 > c0);
	printf("clock: %" PRIu64 " ns over CLOCK_MONOTONIC's %" PRIu64 "\n", dc, dm);
	CHECK(dm >= 50000000u);
	/* the same interval on both clocks, reads ~microseconds apart */
	CHECK(dc > dm - dm / 50 - 100000 && dc < dm + dm / 50 + 100000);

	before = core_clock_ns();
	for (int k = 0; k < 4; k++)
		CHECK(pthread_create(&th[k], NULL, reader, res[k]) == 0);
	for (int k = 0; k < 4; k++) {
		pthread_join(th[k], NULL);
		CHECK_EQ_U64(res[k][0], 0);
		CHECK(res[k][1] >= before);
	}
	return check_report();
}
