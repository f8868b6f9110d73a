/* BPF_MAP_TYPE_BLOOM_FILTER: attribute errors, the jhash forms against
 * lookup3's published values, no false negatives, a false-positive rate
 * near (1 - e^(-kn/m))^k for the kernel's bit-array size, BPF_F_ZERO_SEED
 * determinism, and the operations the kernel refuses. */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "maps/jhash.h"
#include "maps/map_priv.h"

#define ENOTSUPP 524

static int create(uint32_t key_size, uint32_t value_size, uint32_t max,
		  uint32_t flags, uint64_t extra, int32_t lock_off,
		  struct bpfvm_map **out)
{
	struct bpfvm_map_opts o = { .sz = sizeof(o), .map_flags = flags,
				    .map_extra = extra,
				    .has_spin_lock = lock_off >= 0,
				    .spin_lock_off =
					    lock_off >= 0 ? (uint32_t)lock_off : 0 };
	struct bpfvm_map *m = NULL;
	int err = bpfvm_map_create(BPF_MAP_TYPE_BLOOM_FILTER, key_size,
				   value_size, max, &o, &m);

	if (out)
		*out = m;
	else
		bpfvm_map_free(m);
	return err;
}

static void test_create(void)
{
	CHECK_EQ_U64(create(0, 4, 1, 0, 0, -1, NULL), 0);
	CHECK_EQ_U64(create(4, 4, 1, 0, 0, -1, NULL), -EINVAL);
	CHECK_EQ_U64(create(0, 0, 1, 0, 0, -1, NULL), -EINVAL);
	CHECK_EQ_U64(create(0, 4, 0, 0, 0, -1, NULL), -EINVAL);
	CHECK_EQ_U64(create(0, 4, 1, BPF_F_NO_PREALLOC, 0, -1, NULL), -EINVAL);
	CHECK_EQ_U64(create(0, 4, 1, BPF_F_ZERO_SEED, 0, -1, NULL), 0);
	CHECK_EQ_U64(create(0, 4, 1, 0, 15, -1, NULL), 0);
	CHECK_EQ_U64(create(0, 4, 1, 0, 16, -1, NULL), -EINVAL);
	CHECK_EQ_U64(create(0, 4, 1, 0, 1ull << 32, -1, NULL), -EINVAL);
	CHECK_EQ_U64(create(0, (4u << 20) + 1, 1, 0, 0, -1, NULL), -E2BIG);
	CHECK_EQ_U64(create(4, (4u << 20) + 1, 1, 0, 0, -1, NULL), -E2BIG);
	CHECK_EQ_U64(create(0, 8, 1, 0, 0, 0, NULL), -EOPNOTSUPP);
	/* the largest bit array (2^32 bits, 512 MiB, untouched pages) */
	CHECK_EQ_U64(create(0, 4, UINT32_MAX, 0, 15, -1, NULL), 0);
}

/* lookup3.c's self-test values for hashlittle, which is the kernel's
 * jhash on a little-endian machine; jhash2 agrees with jhash there. */
static void test_jhash(void)
{
	static const char four[] = "Four score and seven years ago";
	uint8_t buf[48];

	CHECK_EQ_U64(jhash("", 0, 0), 0xdeadbeef);
	CHECK_EQ_U64(jhash("", 0, 0xdeadbeef), 0xbd5b7dde);
	CHECK_EQ_U64(jhash(four, 30, 0), 0x17770551);
	CHECK_EQ_U64(jhash(four, 30, 1), 0xcd628161);
	for (int i = 0; i < 48; i++)
		buf[i] = (uint8_t)(i * 29 + 3);
	for (uint32_t n = 0; n <= 10; n++)
		CHECK_EQ_U64(jhash2(buf + 1, n, 7), jhash(buf + 1, 4 * n, 7));
}

/* e^x without libm (the unit tests do not link it): (1 + x/2^20)^(2^20)
 * by squaring, close enough for a rate check. */
static double exp_approx(double x)
{
	double r = 1 + x / (1 << 20);

	for (int i = 0; i < 20; i++)
		r *= r;
	return r;
}

/* n values pushed; every one found; then `probes` other values: the
 * false-positive rate must be near the theory for m = the kernel's size. */
static void check_rate(uint32_t value_size, uint32_t n, uint32_t k,
		       uint32_t probes)
{
	struct bpfvm_map *m;
	uint8_t v[64] = { 0 };
	uint32_t fp = 0, missing = 0, bits = 64;
	double want, got;

	if (create(0, value_size, n, 0, k, -1, &m))
		return;
	while (bits < (uint64_t)n * k / 5 * 7)
		bits <<= 1;
	for (uint32_t i = 0; i < n; i++) {
		memcpy(v, &i, 4);
		CHECK_EQ_U64(bpfvm_map_update(m, NULL, v, BPF_ANY), 0);
	}
	for (uint32_t i = 0; i < n; i++) {
		memcpy(v, &i, 4);
		missing += bpfvm_map_lookup(m, NULL, v, 0) != 0;
	}
	for (uint32_t i = n; i < n + probes; i++) {
		memcpy(v, &i, 4);
		fp += bpfvm_map_lookup(m, NULL, v, 0) == 0;
	}
	CHECK_EQ_U64(missing, 0);
	want = 1;
	for (uint32_t i = 0; i < k; i++)
		want *= 1 - exp_approx(-(double)k * n / bits);
	got = (double)fp / probes;
	printf("bloom value_size %u n %u k %u bits %u: false positives %.5f, "
	       "expected %.5f\n", value_size, n, k, bits, got, want);
	CHECK(got > want * 0.6 && got < want * 1.5);
	bpfvm_map_free(m);
}

static void test_rates(void)
{
	check_rate(4, 10000, 5, 200000);	/* jhash2 */
	check_rate(7, 10000, 5, 200000);	/* jhash */
	check_rate(16, 5000, 3, 100000);
	check_rate(4, 1000, 1, 100000);
	check_rate(12, 20000, 8, 400000);
}

/* Zero seed: two maps set the same bits (same answers everywhere);
 * random seeds: the same set, answers that differ somewhere. */
static uint32_t answers(uint32_t flags, uint8_t *out, uint32_t n)
{
	struct bpfvm_map *m;
	uint32_t yes = 0;

	if (create(0, 4, 100, flags, 2, -1, &m))
		return 0;
	for (uint32_t i = 0; i < 100; i++)
		bpfvm_map_update(m, NULL, &i, 0);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = 1000 + i;

		out[i] = bpfvm_map_lookup(m, NULL, &v, 0) == 0;
		yes += out[i];
	}
	bpfvm_map_free(m);
	return yes;
}

static void test_seed(void)
{
	static uint8_t a[20000], b[20000];
	int same_rnd = 1;

	answers(BPF_F_ZERO_SEED, a, 20000);
	answers(BPF_F_ZERO_SEED, b, 20000);
	CHECK(memcmp(a, b, sizeof(a)) == 0);
	for (int i = 0; i < 4 && same_rnd; i++) {
		answers(0, a, 20000);
		answers(0, b, 20000);
		same_rnd = memcmp(a, b, sizeof(a)) == 0;
	}
	CHECK(!same_rnd);
}

static void test_refused(void)
{
	struct bpfvm_map *m;
	uint32_t v = 5;

	if (create(0, 4, 10, 0, 0, -1, &m))
		return;
	CHECK_EQ_U64(bpfvm_map_lookup(m, NULL, &v, 0), -ENOENT);
	CHECK_EQ_U64(bpfvm_map_update(m, NULL, &v, BPF_NOEXIST), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_update(m, NULL, &v, BPF_EXIST), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_update(m, NULL, &v, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_update(m, NULL, &v, BPF_ANY), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, NULL, &v, 0), 0);
	CHECK_EQ_U64(m->ops->peek(m, &v), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, NULL, &v, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_delete(m, NULL), -EOPNOTSUPP);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, NULL, &v), -EOPNOTSUPP);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, NULL, &v, 0), -ENOTSUPP);
	CHECK(m->ops->lookup(m, &v) == NULL);
	CHECK_EQ_U64(m->ops->update(m, &v, &v, 0), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_freeze(m), 0);
	CHECK_EQ_U64(bpfvm_map_update(m, NULL, &v, BPF_ANY), -EPERM);
	CHECK_EQ_U64(bpfvm_map_lookup(m, NULL, &v, 0), 0);
	bpfvm_map_free(m);
}

int main(void)
{
	test_create();
	test_jhash();
	test_rates();
	test_seed();
	test_refused();
	return check_report();
}
