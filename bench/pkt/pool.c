/* The packets of bpfvm-bench-pkt (see bench_pkt.h). */
#include "bench_pkt.h"

#include <errno.h>
#include <stdlib.h>

int pool_make(struct pkt_set *pool, size_t n_random)
{
	return pkt_set_standard(pool, 2026, n_random);
}

/* Evenly spread over the pool, skipping frames under an Ethernet header. */
size_t pool_sample(const struct pkt_set *pool, size_t want, size_t *idx)
{
	size_t n = 0, usable = 0, k = 0;

	for (size_t i = 0; i < pool->cnt; i++)
		usable += pool->len[i] >= 14;
	for (size_t i = 0; i < pool->cnt && n < want; i++) {
		if (pool->len[i] < 14)
			continue;
		/* usable frame k fills slot k * want / usable */
		if (k++ * want / usable == n)
			idx[n++] = i;
	}
	return n;
}

/* The set's arrays point at the pool's frames: 1M packets cost 24 MB of
 * pointers here, not a copy of each frame. */
int pool_pcap(const struct pkt_set *pool, size_t n, const char *path)
{
	struct pkt_set big = {
		.cnt = n,
		.data = malloc(n * sizeof(*big.data)),
		.len = malloc(n * sizeof(*big.len)),
		.name = NULL,
	};
	int err = -ENOMEM;

	if (big.data && big.len && pool->cnt) {
		for (size_t i = 0; i < n; i++) {
			big.data[i] = pool->data[i % pool->cnt];
			big.len[i] = pool->len[i % pool->cnt];
		}
		err = pkt_pcap_write(path, &big);
	}
	free(big.data);
	free(big.len);
	return err;
}
