/* Count the primes up to 10^4 with the sieve of Eratosthenes: byte stores
 * with a data-dependent stride. */
#include "bench_prog.h"

#define SIEVE_N 10000

SEC("xdp")
__u64 bench_prog(void *mem, __u64 len)
{
	/* One flag per number 0..N in the caller's memory: the BPF stack is
	 * only 512 bytes. Cleared here so every run does the same work. */
	__u8 *composite = mem;
	__u64 count = 0;

	if (len < SIEVE_N + 1)
		return 0;
	for (int i = 0; i <= SIEVE_N; i++)
		composite[i] = 0;
	for (int i = 2; i * i <= SIEVE_N; i++) {
		if (composite[i])
			continue;
		for (int j = i * i; j <= SIEVE_N; j += i)
			composite[j] = 1;
	}
	for (int i = 2; i <= SIEVE_N; i++)
		count += !composite[i];
	return count;
}
