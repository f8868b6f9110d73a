/* Captures into memory (pcap_in.h). */
/* No cli.h: libpcap's <pcap/bpf.h> and <linux/bpf.h> both define
 * struct bpf_insn, so errors go back as messages. */
#include "pcap_in.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for n more bytes and one more packet; -1 when out of memory. */
static int grow(struct pcap_in *in, size_t *data_cap, size_t *pkt_cap,
		size_t used, size_t n)
{
	if (used + n > *data_cap || !in->data) { /* 0-byte packets too */
		size_t cap = *data_cap ? *data_cap : 1 << 16;
		while (cap < used + n)
			cap *= 2;
		uint8_t *d = realloc(in->data, cap);
		if (!d)
			return -1;
		in->data = d;
		*data_cap = cap;
	}
	if (in->cnt == *pkt_cap) {
		size_t cap = *pkt_cap ? *pkt_cap * 2 : 256;
		struct pcap_in_pkt *p = realloc(in->pkt, cap * sizeof(*p));
		if (!p)
			return -1;
		in->pkt = p;
		*pkt_cap = cap;
	}
	return 0;
}

static int check_link(pcap_t *p, const char *path, char *err, size_t size)
{
	int dlt = pcap_datalink(p);
	const char *name = pcap_datalink_val_to_name(dlt);

	if (dlt == DLT_EN10MB)
		return 0;
	snprintf(err, size, "%s: link type %s (%d) is not supported: bpfvm "
		 "run takes Ethernet captures (DLT_EN10MB)%s", path, name ? name : "?",
		dlt, dlt == DLT_RAW || dlt == DLT_IPV4 || dlt == DLT_IPV6 ?
		"; packets without a link-layer header are not" : "");
	return -1;
}

static int read_all(pcap_t *p, const char *path, struct pcap_in *in,
		    char *err, size_t size)
{
	size_t data_cap = 0, pkt_cap = 0, used = 0;
	struct pcap_pkthdr *h;
	const u_char *bytes;
	int r;

	while ((r = pcap_next_ex(p, &h, &bytes)) == 1) {
		if (grow(in, &data_cap, &pkt_cap, used, h->caplen)) {
			snprintf(err, size, "%s: out of memory after %zu "
				 "packets", path, in->cnt);
			return -1;
		}
		memcpy(in->data + used, bytes, h->caplen);
		in->pkt[in->cnt++] = (struct pcap_in_pkt){
			.off = used, .caplen = h->caplen, .len = h->len,
			.ts = h->ts,
		};
		in->truncated += h->caplen < h->len;
		used += h->caplen;
	}
	if (r == PCAP_ERROR) {
		snprintf(err, size, "%s: packet %zu: %s", path, in->cnt + 1,
			 pcap_geterr(p));
		return -1;
	}
	return 0;
}

int pcap_in_read(const char *path, struct pcap_in *in, char *err,
		 size_t size)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_open_offline(path, perr);
	int ret;

	memset(in, 0, sizeof(*in));
	if (!p) {
		snprintf(err, size, "%s: cannot read as pcap or pcapng: %s",
			 path, perr);
		return -1;
	}
	ret = check_link(p, path, err, size);
	if (!ret)
		ret = read_all(p, path, in, err, size);
	pcap_close(p);
	if (ret)
		pcap_in_free(in);
	return ret;
}

void pcap_in_free(struct pcap_in *in)
{
	free(in->data);
	free(in->pkt);
	memset(in, 0, sizeof(*in));
}
