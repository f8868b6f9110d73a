/* Packets per verdict into pcap files (pcap_out.h). */
/* No cli.h: see pcap_in.c. */
#include "pcap_out.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Output frames are at most a page for XDP; tc may grow them to 64 KiB. */
#define PCAP_OUT_SNAPLEN 262144

static struct pcap_out_file *find(struct pcap_out *o, const char *name)
{
	for (size_t i = 0; i < o->cnt; i++)
		if (!strcmp(o->files[i].name, name))
			return &o->files[i];
	return NULL;
}

static struct pcap_out_file *open_file(struct pcap_out *o, const char *name,
				       char *err, size_t size)
{
	struct pcap_out_file *f, *files;
	char path[4096];

	files = realloc(o->files, (o->cnt + 1) * sizeof(*files));
	if (!files) {
		snprintf(err, size, "out of memory");
		return NULL;
	}
	o->files = files;
	f = &files[o->cnt];
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(path, sizeof(path), "%s/%s.pcap", o->dir, name);
	f->dead = pcap_open_dead(DLT_EN10MB, PCAP_OUT_SNAPLEN);
	if (!f->dead) {
		snprintf(err, size, "%s: out of memory", path);
		return NULL;
	}
	f->dump = pcap_dump_open(f->dead, path);
	if (!f->dump) {
		snprintf(err, size, "%s", pcap_geterr(f->dead));
		pcap_close(f->dead);
		return NULL;
	}
	f->packets = 0;
	o->cnt++;
	return f;
}

int pcap_out_write(struct pcap_out *o, const char *name,
		   const struct timeval *ts, const void *data,
		   uint32_t caplen, uint32_t len, char *err, size_t size)
{
	struct pcap_out_file *f;
	struct pcap_pkthdr h = { .ts = *ts, .caplen = caplen,
				 .len = len > caplen ? len : caplen };

	if (!o->dir)
		return 0;
	f = find(o, name);
	if (!f && !(f = open_file(o, name, err, size)))
		return -1;
	pcap_dump((u_char *)f->dump, &h, data);
	f->packets++;
	return 0;
}

int pcap_out_close(struct pcap_out *o, char *err, size_t size)
{
	int ret = 0;

	for (size_t i = 0; i < o->cnt; i++) {
		struct pcap_out_file *f = &o->files[i];

		if (!f->dump)
			continue;
		if (pcap_dump_flush(f->dump)) {
			snprintf(err, size, "%s/%s.pcap: write error", o->dir,
				 f->name);
			ret = -1;
		}
		pcap_dump_close(f->dump);
		pcap_close(f->dead);
		f->dump = NULL;
		f->dead = NULL;
	}
	return ret;
}

void pcap_out_free(struct pcap_out *o)
{
	free(o->files);
	o->files = NULL;
	o->cnt = 0;
}
