/* Writing packets per verdict for bpfvm run: DIR/<name>.pcap (pass.pcap,
 * tx.pcap, redirect-dev3.pcap, ...) opened when their first packet comes,
 * written with libpcap's pcap_dump so tcpdump and Wireshark read them. */
#ifndef BPFVM_CLI_PCAP_OUT_H
#define BPFVM_CLI_PCAP_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

struct pcap_out_file {
	char name[48];		/* without ".pcap" */
	uint64_t packets;
	struct pcap *dead;	/* the handle pcap_dump_open needs */
	struct pcap_dumper *dump;
};

struct pcap_out {
	const char *dir;	/* NULL: write nothing */
	struct pcap_out_file *files;
	size_t cnt;
};

/* Append one packet to DIR/<name>.pcap: caplen bytes of data, of a
 * packet of len bytes on the wire (len > caplen: a capture cut it). 0, or
 * -1 with why in err (the file cannot be written). */
int pcap_out_write(struct pcap_out *o, const char *name,
		   const struct timeval *ts, const void *data,
		   uint32_t caplen, uint32_t len, char *err, size_t size);
/* Flush and close every file (names and counts stay for the summary);
 * -1 with why in err if one failed. */
int pcap_out_close(struct pcap_out *o, char *err, size_t size);
void pcap_out_free(struct pcap_out *o);

#endif
