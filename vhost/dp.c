// SPDX-License-Identifier: GPL-2.0
/*
 * The data-path thread.  It owns the attached ports' rings and vrings and
 * takes no lock while it moves frames.  Ports come and go through a
 * mailbox: the control thread or destroy_device posts ATTACH or DETACH,
 * wakes the thread, and waits until it is done, so once vh_dp_detach
 * returns the data path no longer uses the port's vid or sockets (the
 * library may then free the device).
 *
 * Sleeping: epoll on every socket (readable when its rx ring has frames),
 * every guest's TX kick eventfd, and a wake eventfd for the mailbox.
 * With --poll the thread spins on its CPUs instead and the guests' kicks
 * stay off.
 */
#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_vhost.h>
#include "vhost.h"

/* Events per epoll_wait: a batch, not a limit (level-triggered). */
#define VH_MAX_EVENTS 64
/* Asleep, look around this often anyway: re-read kick eventfds (a front
 * end may replace one without a vring state change) and drain any guest
 * whose kick was missed. */
#define VH_IDLE_MS 1000
/* A socket's tx ring still holds frames the kernel would not take yet,
 * or has no room for the guest's next ones: retry this soon rather than
 * spin. */
#define VH_TX_RETRY_MS 1

static void ep_set(struct vh_dp *dp, int op, int fd, __u64 data)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = data};

	epoll_ctl(dp->epfd, op, fd, &ev);
}

/* The guest's TX kick eventfd into the epoll set.  The front end can
 * replace it (SET_VRING_KICK), and the library then closes the old one,
 * which drops it from the set by itself; MOD tells whether the number we
 * hold still names a registered file. */
static void kick_refresh(struct vh_dp *dp, struct vh_port *p)
{
	struct rte_vhost_vring vr;
	struct epoll_event ev = {.events = EPOLLIN,
				 .data.u64 = VH_EV(VH_EV_KICK, p->id)};
	int fd = -1;

	if (dp->poll)
		return;
	if (rte_vhost_get_vhost_vring(p->dp.vid, VH_VQ_TX, &vr) == 0)
		fd = vr.kickfd;
	if (fd != p->dp.kickfd) {
		if (p->dp.kickfd >= 0)
			epoll_ctl(dp->epfd, EPOLL_CTL_DEL, p->dp.kickfd, NULL);
		/* Never read an fd epoll has not reported for it. */
		p->dp.kicked = false;
	}
	p->dp.kickfd = fd;
	if (fd < 0)
		return;
	if (epoll_ctl(dp->epfd, EPOLL_CTL_MOD, fd, &ev) == 0)
		return;
	if (errno != ENOENT)
		return;
	/* Newly watched: reading it must never block the data path (the
	 * library itself never reads a kick eventfd), and a kick may have
	 * come while it was not watched. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	epoll_ctl(dp->epfd, EPOLL_CTL_ADD, fd, &ev);
	p->dp.kicked = false;
	p->dp.tx_more = true;
}

static void do_attach(struct vh_dp *dp, struct vh_port *p)
{
	struct vh_dp_port *q = &p->dp;

	memset(q, 0, sizeof(*q));
	q->vid = p->vid;
	q->kickfd = -1;
	q->idx = dp->nports;
	dp->ports[dp->nports++] = p;
	dp->by_id[p->id] = p;
	/* We never wait for the guest to refill its RX vring, so its
	 * kicks there are of no use; the TX kicks are armed after the
	 * first drain. */
	rte_vhost_enable_guest_notification(q->vid, VH_VQ_RX, 0);
	rte_vhost_enable_guest_notification(q->vid, VH_VQ_TX, 0);
	for (unsigned int i = 0; i < p->nsocks; i++)
		if (!dp->poll)
			ep_set(dp, EPOLL_CTL_ADD, p->socks[i].fd,
			       VH_EV(VH_EV_RX, p->id));
	if (p->relay_open && !dp->poll)
		ep_set(dp, EPOLL_CTL_ADD, p->relay.fd, VH_EV(VH_EV_RX, p->id));
	kick_refresh(dp, p);
	/* The guest may have queued frames before we looked. */
	q->tx_more = true;
	q->rx_more = true;
	vh_bum_get(dp, p);
}

static void do_detach(struct vh_dp *dp, struct vh_port *p)
{
	struct vh_dp_port *q = &p->dp;
	struct vh_port *last;

	vh_bum_put(dp, p);
	for (unsigned int i = 0; i < p->nsocks; i++)
		if (!dp->poll)
			epoll_ctl(dp->epfd, EPOLL_CTL_DEL, p->socks[i].fd,
				  NULL);
	if (p->relay_open && !dp->poll)
		epoll_ctl(dp->epfd, EPOLL_CTL_DEL, p->relay.fd, NULL);
	if (q->kickfd >= 0)
		epoll_ctl(dp->epfd, EPOLL_CTL_DEL, q->kickfd, NULL);
	vh_port_quiesce(p);
	last = dp->ports[--dp->nports];
	dp->ports[q->idx] = last;
	last->dp.idx = q->idx;
	dp->by_id[p->id] = NULL;
	q->vid = -1;
	q->kickfd = -1;
}

static void do_flood(struct vh_dp *dp, struct vh_sock *s)
{
	if (dp->flood && !dp->poll)
		epoll_ctl(dp->epfd, EPOLL_CTL_DEL, dp->flood->fd, NULL);
	dp->flood = s;
	dp->flood_ready = s != NULL;
	if (s && !dp->poll)
		ep_set(dp, EPOLL_CTL_ADD, s->fd, VH_EV(VH_EV_FLOOD, 0));
}

static void mailbox(struct vh_dp *dp)
{
	struct vh_cmd *c;

	if (!atomic_exchange(&dp->pending, false))
		return;
	pthread_mutex_lock(&dp->mu);
	while ((c = dp->cmds)) {
		dp->cmds = c->next;
		if (c->op == VH_CMD_ATTACH)
			do_attach(dp, c->port);
		else if (c->op == VH_CMD_DETACH)
			do_detach(dp, c->port);
		else
			do_flood(dp, c->sock);
		c->done = true;
	}
	pthread_cond_broadcast(&dp->cv);
	pthread_mutex_unlock(&dp->mu);
}

static void post(struct vh_dp *dp, enum vh_cmd_op op, struct vh_port *p,
		 struct vh_sock *s)
{
	struct vh_cmd c = {.op = op, .port = p, .sock = s};

	pthread_mutex_lock(&dp->mu);
	c.next = dp->cmds;
	dp->cmds = &c;
	atomic_store(&dp->pending, true);
	eventfd_write(dp->wakefd, 1);
	while (!c.done)
		pthread_cond_wait(&dp->cv, &dp->mu);
	pthread_mutex_unlock(&dp->mu);
}

void vh_dp_attach(struct vh_dp *dp, struct vh_port *p)
{
	post(dp, VH_CMD_ATTACH, p, NULL);
}

void vh_dp_detach(struct vh_dp *dp, struct vh_port *p)
{
	post(dp, VH_CMD_DETACH, p, NULL);
}

void vh_dp_set_flood(struct vh_dp *dp, struct vh_sock *s)
{
	post(dp, VH_CMD_FLOOD, NULL, s);
}

void vh_dp_kick_refresh(struct vh_dp *dp)
{
	atomic_store(&dp->kick_stale, true);
	eventfd_write(dp->wakefd, 1);
}

static void handle_events(struct vh_dp *dp, const struct epoll_event *ev, int n)
{
	eventfd_t v;

	for (int i = 0; i < n; i++) {
		__u64 u = ev[i].data.u64;
		struct vh_port *p;

		if (VH_EV_TYPE(u) == VH_EV_WAKE) {
			eventfd_read(dp->wakefd, &v);
			continue;
		}
		if (VH_EV_TYPE(u) == VH_EV_FLOOD) {
			dp->flood_ready = true;
			continue;
		}
		if (VH_EV_TYPE(u) == VH_EV_BUM) {
			if (VH_EV_ID(u) < VH_MAX_UPLINKS)
				dp->bum[VH_EV_ID(u)].ready = true;
			continue;
		}
		/* Ports detached in this round are gone from by_id; one
		 * attached since under the same id just gets a look. */
		p = VH_EV_ID(u) < VFWD_MAX_PORTS ? dp->by_id[VH_EV_ID(u)]
						 : NULL;
		if (!p)
			continue;
		if (VH_EV_TYPE(u) == VH_EV_KICK)
			p->dp.kicked = true;
		else
			p->dp.rx_ready = true;
	}
}

/* One round over the ports: returns whether any has work left. */
static int run_ports(struct vh_dp *dp, bool all)
{
	bool more = vh_bum_run(dp, all);
	int timeout;

	if (dp->flood && (all || dp->flood_ready))
		more |= vh_bum_flood_run(dp);
	timeout = more ? 0 : -1;

	for (unsigned int i = 0; i < dp->nports; i++) {
		struct vh_port *p = dp->ports[i];
		struct vh_dp_port *q = &p->dp;

		if (all || q->rx_ready || q->rx_more)
			vh_wire_to_guest(dp, p);
		if (all || q->kicked || q->tx_more || q->tx_blocked)
			vh_guest_to_any(dp, p);
		if (q->sock_pending) {
			q->sock_pending = false;
			for (unsigned int k = 0; k < p->nsocks; k++) {
				if (!p->socks[k].tx_pending)
					continue;
				vh_sock_tx_flush(&p->socks[k]);
				q->sock_pending |= p->socks[k].tx_pending;
			}
			if (p->relay_open && p->relay.tx_pending) {
				vh_sock_tx_flush(&p->relay);
				q->sock_pending |= p->relay.tx_pending;
			}
		}
		if (q->rx_more || q->tx_more)
			timeout = 0;
		else if ((q->sock_pending || q->tx_blocked) && timeout)
			timeout = VH_TX_RETRY_MS;
	}
	return timeout;
}

static void *dp_main(void *arg)
{
	struct vh_dp *dp = arg;
	struct epoll_event ev[VH_MAX_EVENTS];
	int timeout = VH_IDLE_MS, n;

	/* An lcore id gives the thread its mempool cache. */
	if (rte_thread_register())
		vh_dbg("data path: no lcore id (%s); mbufs bypass the cache",
		       rte_strerror(rte_errno));
	if (dp->poll &&
	    pthread_setaffinity_np(pthread_self(), sizeof(dp->cpus), &dp->cpus))
		vh_err("data path: cannot pin to the --poll CPUs: %s",
		       strerror(errno));
	while (!atomic_load(&dp->stop)) {
		bool all;

		if (dp->poll) {
			n = 0;
			all = true;
		} else {
			n = epoll_wait(dp->epfd, ev, VH_MAX_EVENTS,
				       timeout < 0 ? VH_IDLE_MS : timeout);
			if (n < 0)
				n = 0;
			handle_events(dp, ev, n);
			/* Timed out while idle: the periodic look. */
			all = n == 0 && timeout < 0;
		}
		mailbox(dp);
		if (atomic_exchange(&dp->kick_stale, false) || all)
			for (unsigned int i = 0; i < dp->nports; i++)
				kick_refresh(dp, dp->ports[i]);
		timeout = run_ports(dp, all);
	}
	rte_thread_unregister();
	return NULL;
}

int vh_dp_start(struct vh_dp *dp)
{
	int err;

	dp->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (dp->epfd < 0)
		return -errno;
	dp->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (dp->wakefd < 0) {
		err = -errno;
		close(dp->epfd);
		return err;
	}
	ep_set(dp, EPOLL_CTL_ADD, dp->wakefd, VH_EV(VH_EV_WAKE, 0));
	pthread_mutex_init(&dp->mu, NULL);
	pthread_cond_init(&dp->cv, NULL);
	err = pthread_create(&dp->thread, NULL, dp_main, dp);
	if (err) {
		close(dp->wakefd);
		close(dp->epfd);
		return -err;
	}
	pthread_setname_np(dp->thread, "vfwd-dp");
	dp->started = true;
	return 0;
}

void vh_dp_stop(struct vh_dp *dp)
{
	if (!dp->started)
		return;
	atomic_store(&dp->stop, true);
	eventfd_write(dp->wakefd, 1);
	pthread_join(dp->thread, NULL);
	close(dp->wakefd);
	close(dp->epfd);
	dp->started = false;
}
