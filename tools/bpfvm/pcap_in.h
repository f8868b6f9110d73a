/* Reading a capture for bpfvm run: every packet of a pcap or pcapng file
 * (libpcap) into memory at once, so the timed loop measures the program
 * and not the disk. */
#ifndef BPFVM_CLI_PCAP_IN_H
#define BPFVM_CLI_PCAP_IN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

struct pcap_in_pkt {
	size_t off;		/* into pcap_in.data */
	uint32_t caplen;	/* bytes captured (what the program gets) */
	uint32_t len;		/* bytes on the wire */
	struct timeval ts;
};

struct pcap_in {
	uint8_t *data;		/* every packet's bytes, one after another */
	struct pcap_in_pkt *pkt;
	size_t cnt;
	size_t truncated;	/* packets with caplen < len (snaplen cut) */
};

/* Read all of path (Ethernet link type only). 0, or -1 with why in err:
 * missing file, not a capture, another link type, read error. */
int pcap_in_read(const char *path, struct pcap_in *in, char *err,
		 size_t size);
void pcap_in_free(struct pcap_in *in);

#endif
