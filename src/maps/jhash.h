/* Bob Jenkins' lookup3 hash (public domain) in the two forms the kernel
 * calls jhash (bytes) and jhash2 (32-bit words). The bloom filter uses
 * them with the kernel's seeds, so with BPF_F_ZERO_SEED its bit array is
 * the kernel's bit for bit. Words are read in host byte order, as the
 * kernel reads them. */
#ifndef BPFVM_MAPS_JHASH_H
#define BPFVM_MAPS_JHASH_H

#include <stdint.h>
#include <string.h>

#define JHASH_INITVAL 0xdeadbeefu

static inline uint32_t jhash_rol32(uint32_t x, unsigned r)
{
	return (x << r) | (x >> (32 - r));
}

static inline uint32_t jhash_load32(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
	return w;
}

/* Mix three words reversibly (after each full 12-byte block). */
static inline void jhash_mix(uint32_t *a, uint32_t *b, uint32_t *c)
{
	*a -= *c; *a ^= jhash_rol32(*c, 4);  *c += *b;
	*b -= *a; *b ^= jhash_rol32(*a, 6);  *a += *c;
	*c -= *b; *c ^= jhash_rol32(*b, 8);  *b += *a;
	*a -= *c; *a ^= jhash_rol32(*c, 16); *c += *b;
	*b -= *a; *b ^= jhash_rol32(*a, 19); *a += *c;
	*c -= *b; *c ^= jhash_rol32(*b, 4);  *b += *a;
}

/* Final avalanche of the last block into c. */
static inline uint32_t jhash_final(uint32_t a, uint32_t b, uint32_t c)
{
	c ^= b; c -= jhash_rol32(b, 14);
	a ^= c; a -= jhash_rol32(c, 11);
	b ^= a; b -= jhash_rol32(a, 25);
	c ^= b; c -= jhash_rol32(b, 16);
	a ^= c; a -= jhash_rol32(c, 4);
	b ^= a; b -= jhash_rol32(a, 14);
	c ^= b; c -= jhash_rol32(b, 24);
	return c;
}

/* The blocks before the last: both forms start alike (the length in
 * bytes goes into the initial state) and mix 12 bytes at a time. Returns
 * the last block; *len becomes its length in bytes (0..12). */
static inline const uint8_t *jhash_body(const uint8_t *k, uint32_t *len,
					uint32_t seed, uint32_t s[3])
{
	s[0] = s[1] = s[2] = JHASH_INITVAL + *len + seed;
	for (; *len > 12; *len -= 12, k += 12) {
		s[0] += jhash_load32(k);
		s[1] += jhash_load32(k + 4);
		s[2] += jhash_load32(k + 8);
		jhash_mix(&s[0], &s[1], &s[2]);
	}
	return k;
}

/* The byte form adds its tail little-endian byte by byte. */
static inline uint32_t jhash(const void *key, uint32_t len, uint32_t seed)
{
	uint32_t s[3], w[3] = { 0, 0, 0 };
	const uint8_t *k = jhash_body(key, &len, seed, s);

	if (!len)
		return s[2];
	for (uint32_t i = 0; i < len; i++)
		w[i / 4] += (uint32_t)k[i] << (8 * (i % 4));
	return jhash_final(s[0] + w[0], s[1] + w[1], s[2] + w[2]);
}

/* The word form: n host-order 32-bit words (any alignment). */
static inline uint32_t jhash2(const void *key, uint32_t n, uint32_t seed)
{
	uint32_t len = n * 4, s[3], w[3] = { 0, 0, 0 };
	const uint8_t *k = jhash_body(key, &len, seed, s);

	if (!len)
		return s[2];
	for (uint32_t i = 0; i < len / 4; i++)
		w[i] = jhash_load32(k + 4 * i);
	return jhash_final(s[0] + w[0], s[1] + w[1], s[2] + w[2]);
}

#endif
