/* The consumers' epoll instance over ring wakeup eventfds (ring_mem.h). */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "maps/ring_mem.h"

int ring_poller_init(struct ring_poller *p)
{
	p->cnt = 0;
	p->events = NULL;
	p->exposed = false;
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	return p->epfd < 0 ? -errno : 0;
}

void ring_poller_fini(struct ring_poller *p)
{
	if (p->epfd >= 0)
		close(p->epfd);
	p->epfd = -1;
	free(p->events);
	p->events = NULL;
}

int ring_poller_add(struct ring_poller *p, struct ring_wake *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = p->cnt };
	struct epoll_event *n;

	n = realloc(p->events, (p->cnt + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	p->events = n;
	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, w->efd, &ev))
		return -errno;
	p->cnt++;
	return 0;
}

int ring_poller_wait(struct ring_poller *p, int timeout_ms)
{
	int n;

	if (!p->cnt)
		return 0;
	n = epoll_wait(p->epfd, p->events, (int)p->cnt, timeout_ms);
	return n < 0 ? -errno : n;
}
