/* Parse Ethernet / IPv4 / UDP the way an XDP program does, verify the IPv4
 * header checksum and compute the UDP checksum over the pseudo-header,
 * header and payload. The harness passes a 64-byte packet. */
#include "bench_prog.h"
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "written for little-endian hosts (x86-64, arm64) and bpfel"
#endif

/* In a frame the IPv4 header starts at byte 14, only 2-byte aligned; a
 * typedef may lower a struct's alignment, which keeps the accesses defined C
 * (natively; BPF and x86 do not care). */
typedef struct iphdr __attribute__((aligned(2))) iphdr_t;

/* Largest UDP datagram an Ethernet frame carries: bounds the payload loop
 * for the verifier even where `len` does not. */
#define UDP_MAX 1480

static __always_inline __u16 be16(__u16 v)
{
	return __builtin_bswap16(v);
}

/* The Internet checksum's end-around carry: fold a wide one's complement
 * sum of 16-bit words into 16 bits. */
static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* One's complement sum of the words at `p` (an even offset into mem): the
 * sum is byte-order independent, so words are added as loaded. */
static __always_inline __u64 csum_add(const __u8 *p, __u64 bytes)
{
	__u64 sum = 0;
	__u64 i;

	for (i = 0; i + 2 <= bytes && i < UDP_MAX; i += 2)
		sum += *(const __u16 *)(p + i);
	if (i < bytes && i < UDP_MAX)
		sum += p[i]; /* the odd last byte, padded with zero */
	return sum;
}

SEC("xdp")
__u64 bench_prog(void *mem, __u64 len)
{
	const __u8 *data = mem;
	const struct ethhdr *eth = mem;
	const iphdr_t *ip = (const void *)(eth + 1);
	const struct udphdr *udp = (const void *)(ip + 1);
	__u64 off = (const __u8 *)(udp + 1) - data;
	__u64 ulen, sum;
	__u16 ip_check, udp_check;

	if (off > len)
		return 0;
	if (eth->h_proto != be16(ETH_P_IP))
		return 0;
	if (ip->version != 4 || ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
		return 0;
	/* A valid header sums to 0xffff, checksum field included. */
	ip_check = csum_fold(csum_add((const __u8 *)ip, sizeof(*ip)));

	ulen = be16(udp->len);
	if (ulen < sizeof(*udp) || ulen > len - (off - sizeof(*udp)))
		return 0;
	sum = csum_add((const __u8 *)&ip->saddr, 2 * sizeof(ip->saddr));
	sum += be16(IPPROTO_UDP) + udp->len;
	sum += csum_add((const __u8 *)udp, ulen);
	udp_check = csum_fold(sum);
	return (ulen << 32) | ((__u64)ip_check << 16) | udp_check;
}
