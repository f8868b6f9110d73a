/* Reading memory that may not be mapped, without a signal: the kernel
 * copies it for us. process_vm_readv on our own pid returns EFAULT for an
 * unmapped source; where it is refused (seccomp, ENOSYS), a write() of the
 * source into a pipe fails the same way and the bytes are read back. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "helpers/hlp_priv.h"

#define PAGE 4096u

bool hlp_addr_canonical(uint64_t addr)
{
	uint64_t top = addr >> 47;

	return top == 0 || top == 0x1ffff;
}

static int vm_read_ok = 1; /* cleared when the syscall is refused */

/* 1 copied, 0 fault, -1 syscall unavailable. */
static int vm_read(void *dst, uint64_t src, size_t n)
{
	struct iovec local = { dst, n };
	struct iovec remote = { (void *)(uintptr_t)src, n };
	ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	if (got == (ssize_t)n)
		return 1;
	if (got < 0 && (errno == ENOSYS || errno == EPERM))
		return -1;
	return 0;
}

static pthread_mutex_t pipe_lock = PTHREAD_MUTEX_INITIALIZER;
static int pipe_fd[2] = { -1, -1 };

static int pipe_chunk(void *dst, uint64_t src, size_t n)
{
	ssize_t w = write(pipe_fd[1], (const void *)(uintptr_t)src, n);
	size_t got = 0;

	while (w > 0 && got < (size_t)w) {
		ssize_t r = read(pipe_fd[0], (char *)dst + got, (size_t)w - got);

		if (r <= 0)
			return 0;
		got += (size_t)r;
	}
	return w == (ssize_t)n;
}

/* Page-sized chunks stay within the pipe's capacity, so the write never
 * blocks. */
static int pipe_read(void *dst, uint64_t src, size_t n)
{
	int ok = 1;

	pthread_mutex_lock(&pipe_lock);
	if (pipe_fd[0] < 0 && pipe2(pipe_fd, O_CLOEXEC))
		ok = 0;
	for (size_t done = 0; ok && done < n; done += PAGE) {
		size_t len = n - done < PAGE ? n - done : PAGE;

		ok = pipe_chunk((char *)dst + done, src + done, len);
	}
	pthread_mutex_unlock(&pipe_lock);
	return ok;
}

int hlp_read_safe(void *dst, uint64_t src, size_t n)
{
	int r;

	if (!n)
		return 0;
	if (src + n < src)
		return -EFAULT;
	if (__atomic_load_n(&vm_read_ok, __ATOMIC_RELAXED)) {
		r = vm_read(dst, src, n);
		if (r >= 0)
			return r ? 0 : -EFAULT;
		__atomic_store_n(&vm_read_ok, 0, __ATOMIC_RELAXED);
	}
	return pipe_read(dst, src, n) ? 0 : -EFAULT;
}

/* Chunks end at page boundaries, so a string that ends before an
 * unmapped page reads fine; they go through a bounce buffer so nothing
 * past the NUL is written (as the kernel's byte-by-byte copy). */
long hlp_strncpy_safe(char *dst, uint64_t src, size_t count)
{
	char chunk[256];
	size_t done = 0;

	while (done < count) {
		uint64_t at = src + done;
		size_t len = PAGE - (size_t)(at % PAGE);
		const char *nul;

		if (len > sizeof(chunk))
			len = sizeof(chunk);
		if (len > count - done)
			len = count - done;
		if (hlp_read_safe(chunk, at, len))
			return -EFAULT;
		nul = memchr(chunk, 0, len);
		if (nul) {
			memcpy(dst + done, chunk, (size_t)(nul - chunk) + 1);
			return (long)(done + (size_t)(nul - chunk)) + 1;
		}
		memcpy(dst + done, chunk, len);
		done += len;
	}
	if (count)
		dst[count - 1] = '\0';
	return (long)count;
}
