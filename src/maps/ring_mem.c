/* Double-mapped ring memory and eventfd wakeups (see ring_mem.h). */
#include <errno.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "maps/ring_mem.h"

size_t ring_page_size(void)
{
	static size_t page;

	if (!page) {
		long n = sysconf(_SC_PAGESIZE);

		page = n > 0 ? (size_t)n : 4096;
	}
	return page;
}

/* One memfd backs meta + data; the data pages are mapped a second time
 * right after the first copy. */
static int ring_mem_map_fd(uint8_t *base, int fd, size_t meta, size_t size)
{
	const int prot = PROT_READ | PROT_WRITE;
	const int flags = MAP_SHARED | MAP_FIXED;

	if (ftruncate(fd, (off_t)(meta + size)))
		return -ENOMEM;
	if (mmap(base, meta + size, prot, flags, fd, 0) == MAP_FAILED)
		return -ENOMEM;
	if (mmap(base + meta + size, size, prot, flags, fd, (off_t)meta) ==
	    MAP_FAILED)
		return -ENOMEM;
	return 0;
}

int ring_mem_map(struct ring_mem *m, size_t meta, size_t size)
{
	size_t total = meta + 2 * size;
	uint8_t *base;
	int fd, err;

	/* Reserve the whole range first so the two views end up adjacent. */
	base = mmap(NULL, total, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return -ENOMEM;
	fd = memfd_create("bpfvm-ring", MFD_CLOEXEC);
	err = fd < 0 ? -ENOMEM : ring_mem_map_fd(base, fd, meta, size);
	if (fd >= 0)
		close(fd); /* the mappings keep the memory */
	if (err) {
		munmap(base, total);
		return err;
	}
	m->base = base;
	m->meta = meta;
	m->size = size;
	return 0;
}

void ring_mem_unmap(struct ring_mem m)
{
	if (m.base)
		munmap(m.base, m.meta + 2 * m.size);
}

int ring_wake_init(struct ring_wake *w)
{
	atomic_init(&w->pending, 0);
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return w->efd < 0 ? -errno : 0;
}

void ring_wake_fini(struct ring_wake *w)
{
	if (w->efd >= 0)
		close(w->efd);
	w->efd = -1;
}

/* Orders (seq_cst) against the consumer's ack: either the consumer clears
 * `pending` after this load and then sees what the producer committed
 * before calling us, or we see 0 and write. */
void ring_wake_signal(struct ring_wake *w)
{
	uint64_t one = 1;

	if (atomic_load(&w->pending) || atomic_exchange(&w->pending, 1))
		return;
	/* Cannot fail: at most one write is outstanding, so the counter
	 * never nears its limit. */
	(void)!write(w->efd, &one, sizeof(one));
}

void ring_wake_ack(struct ring_wake *w)
{
	uint64_t v;

	if (!atomic_load(&w->pending))
		return;
	/* EAGAIN: the producer set `pending` but has not written yet; the
	 * eventfd turns readable shortly, so leave the flag for next time. */
	if (read(w->efd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		atomic_store(&w->pending, 0); /* seq_cst: before the reads */
}
