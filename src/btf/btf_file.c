/* BTF from files: raw BTF (/sys/kernel/btf/vmlinux, bpftool's dumps) or
 * an ELF object's .BTF section (through libelf). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btf/btf_priv.h"
#include "core/log.h"
#include "core/opts.h"

/* The whole file (sysfs files report no useful size: read to the end). */
static int read_all(const char *path, uint8_t **buf, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	uint8_t *p = NULL;
	struct stat st;

	if (fd < 0)
		return -errno;
	if (!fstat(fd, &st) && st.st_size > 0 && st.st_size < BTF_MAX_BYTES)
		cap = (size_t)st.st_size + 1;
	for (;;) {
		ssize_t r;

		if (n == cap || !p) {
			uint8_t *q;

			cap = p ? cap * 2 : cap;
			if (cap > BTF_MAX_BYTES * 2ull ||
			    !(q = realloc(p, cap))) {
				err = cap > BTF_MAX_BYTES * 2ull ? -E2BIG : -ENOMEM;
				break;
			}
			p = q;
		}
		r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? -errno : 0;
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	if (err) {
		free(p);
		return err;
	}
	*buf = p;
	*len = n;
	return 0;
}

/* The .BTF section's bytes inside an ELF image, or -ENOENT. */
static int elf_btf(const uint8_t *img, size_t len, const void **sec,
		   size_t *sec_len, char *log, size_t log_size)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int err = -ENOENT;

	elf_version(EV_CURRENT);
	elf = elf_memory((char *)img, len);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		err = core_logf(log, log_size, -EINVAL,
				"BTF: not a readable ELF file: %s",
				elf_errmsg(-1));
	while (elf && err == -ENOENT && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".BTF"))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || sh.sh_type == SHT_NOBITS || !d->d_buf) {
			err = core_logf(log, log_size, -EINVAL,
					"BTF: the .BTF section has no data");
			break;
		}
		*sec = d->d_buf;
		*sec_len = d->d_size;
		err = 0;
	}
	if (err == -ENOENT)
		core_logf(log, log_size, err, "BTF: the ELF file has no .BTF "
			  "section");
	if (elf)
		elf_end(elf);
	return err;
}

int bpfvm_btf_parse_file(const char *path, const struct bpfvm_btf_opts *opts,
			 struct bpfvm_btf **out)
{
	char *log = OPTS_GET(opts, log_buf, NULL);
	size_t log_size = OPTS_GET(opts, log_size, 0);
	const void *sec;
	size_t len = 0, sec_len;
	uint8_t *buf = NULL;
	int err;

	if (!path || !out)
		return -EINVAL;
	*out = NULL;
	err = read_all(path, &buf, &len);
	if (err)
		return core_logf(log, log_size, err, "BTF: cannot read %s: %s",
				 path, strerror(-err));
	sec = buf;
	sec_len = len;
	if (len >= 4 && !memcmp(buf, ELFMAG, SELFMAG))
		err = elf_btf(buf, len, &sec, &sec_len, log, log_size);
	if (!err)
		err = bpfvm_btf_parse(sec, sec_len, opts, out);
	free(buf);
	return err;
}

int bpfvm_btf_vmlinux(struct bpfvm_btf **out)
{
	static const char path[] = "/sys/kernel/btf/vmlinux";

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (access(path, R_OK))
		return -ENOENT;
	return bpfvm_btf_parse_file(path, NULL, out);
}
