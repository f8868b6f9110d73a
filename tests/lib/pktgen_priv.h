/* pktgen internals shared by its two files (pktgen.c builds frames,
 * pktgen_set.c makes sets and pcap files) and test_pktgen. */
#ifndef BPFVM_TESTS_PKTGEN_PRIV_H
#define BPFVM_TESTS_PKTGEN_PRIV_H

#include "pktgen.h"

#include <stdbool.h>

/* What struct pkt_spec has no field for: IPv4 fragments and an IPv6
 * Hop-by-Hop extension header (the standard set uses them). */
struct pkt_extra {
	uint16_t ip_id;
	uint16_t frag_off;	/* in 8-byte units; non-zero: no L4 header */
	bool more_frags;
	bool hbh;
};

size_t pkt_build_x(const struct pkt_spec *s, const struct pkt_extra *x,
		   uint8_t *buf, size_t cap);

#endif
