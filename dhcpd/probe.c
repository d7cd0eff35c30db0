/*
 * probe.c - conflict detection: the table of ICMP probes out, and the
 * raw ICMP socket they go through.
 *
 * Entries are found by address in a hash table (one per address: two
 * clients are never offered the same one). OUT entries sit in a list in
 * the order their echoes left; with one timeout for all, that is the
 * order of their deadlines, so expiring them is a walk from the head
 * that stops at the first one still running. A reload that shortens the
 * timeout puts the list out of order; until it has emptied (one old
 * timeout at most), every walk reads the whole list.
 * Ended entries wait in a second list, oldest first, for a batch.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

/*
 * Linux's raw ICMP filter (linux/icmp.h, which cannot be included with
 * net/if.h): a 32-bit mask of the ICMP types kept from the socket.
 */
#ifndef ICMP_FILTER
#define ICMP_FILTER	1
#endif

#define HASH_SIZE	1024	/* a power of 2 */
#define ICMP_HDR	8
/* Echo payload: names the sender to whoever captures it. */
#define ECHO_DATA	"provbox conflict probe"

struct plist {
	struct probe	*head;
	struct probe	*tail;
	size_t		 n;
};

struct probe_table {
	struct probe	*hash[HASH_SIZE];
	size_t		 count;
	struct plist	 out;		/* OUT, in send order */
	struct plist	 done;		/* ANSWERED and TIMEOUT */
	/* A deadline in out is earlier than one before it (a reload). */
	int		 unordered;
	uint16_t	 id;
	uint16_t	 seq;
};

static size_t
bucket(uint32_t ip)
{
	return (size_t)((ip * 2654435761u) >> 22) & (HASH_SIZE - 1);
}

static void
list_append(struct plist *l, struct probe *p)
{
	p->next = NULL;
	p->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = p;
	else
		l->head = p;
	l->tail = p;
	l->n++;
}

static void
list_unlink(struct plist *l, struct probe *p)
{
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		l->head = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	else
		l->tail = p->prev;
	p->prev = p->next = NULL;
	l->n--;
}

/* The list an entry in that state is on, or NULL (NEW: none). */
static struct plist *
list_of(struct probe_table *pt, const struct probe *p)
{
	switch (p->state) {
	case PROBE_OUT:
		return &pt->out;
	case PROBE_ANSWERED:
	case PROBE_TIMEOUT:
		return &pt->done;
	case PROBE_NEW:
		break;
	}
	return NULL;
}

static struct probe *
lookup(const struct probe_table *pt, uint32_t ip)
{
	struct probe *p;

	for (p = pt->hash[bucket(ip)]; p != NULL; p = p->hnext)
		if (p->ip == ip)
			return p;
	return NULL;
}

/* Takes p out of the hash table and its list; the caller owns it. */
static void
detach(struct probe_table *pt, struct probe *p)
{
	struct probe	**pp;
	struct plist	 *l;

	for (pp = &pt->hash[bucket(p->ip)]; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == p) {
			*pp = p->hnext;
			break;
		}
	p->hnext = NULL;
	if ((l = list_of(pt, p)) != NULL)
		list_unlink(l, p);
	pt->count--;
}

/* Moves p to state (and to that state's list). */
static void
set_state(struct probe_table *pt, struct probe *p, enum probe_state state)
{
	struct plist *l;

	if ((l = list_of(pt, p)) != NULL)
		list_unlink(l, p);
	p->state = state;
	if ((l = list_of(pt, p)) != NULL)
		list_append(l, p);
}

struct probe_table *
probe_table_new(void)
{
	struct probe_table	*pt;
	uint16_t		 r;

	if ((pt = calloc(1, sizeof(*pt))) == NULL)
		return NULL;
	/* Another pinger on the host has its own identifier. */
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint16_t)(getpid() ^ time(NULL));
	pt->id = r;
	pt->seq = (uint16_t)(r * 31u + 7u);
	return pt;
}

void
probe_table_free(struct probe_table *pt)
{
	if (pt == NULL)
		return;
	for (size_t i = 0; i < HASH_SIZE; i++)
		while (pt->hash[i] != NULL) {
			struct probe *p = pt->hash[i];

			detach(pt, p);
			free(p);
		}
	free(pt);
}

struct probe *
probe_add(struct probe_table *pt, uint32_t ip, const uint8_t *buf,
    size_t len)
{
	struct probe	*p;
	size_t		 b;

	if (pt->count >= PROBE_MAX || lookup(pt, ip) != NULL)
		return NULL;
	if ((p = calloc(1, sizeof(*p) + len)) == NULL)
		return NULL;
	p->ip = ip;
	p->seq = ++pt->seq;
	p->state = PROBE_NEW;
	p->len = len;
	memcpy(p->buf, buf, len);
	b = bucket(ip);
	p->hnext = pt->hash[b];
	pt->hash[b] = p;
	pt->count++;
	return p;
}

void
probe_sent(struct probe_table *pt, struct probe *p, uint64_t deadline)
{
	if (pt->out.n == 0)
		pt->unordered = 0;
	else if (deadline < pt->out.tail->deadline)
		pt->unordered = 1;
	p->deadline = deadline;
	set_state(pt, p, PROBE_OUT);
}

void
probe_fail(struct probe_table *pt, struct probe *p)
{
	set_state(pt, p, PROBE_TIMEOUT);
}

void
probe_remove(struct probe_table *pt, struct probe *p)
{
	detach(pt, p);
	free(p);
}

int
probe_pending(void *arg, uint32_t ip)
{
	const struct probe	*p = lookup(arg, ip);

	return p != NULL && p->state != PROBE_TIMEOUT;
}

int
probe_answer(struct probe_table *pt, uint32_t ip, uint16_t id, uint16_t seq)
{
	struct probe *p = lookup(pt, ip);

	if (p == NULL || p->state != PROBE_OUT || id != pt->id ||
	    seq != p->seq)
		return 0;
	set_state(pt, p, PROBE_ANSWERED);
	return 1;
}

size_t
probe_expire(struct probe_table *pt, uint64_t now)
{
	struct probe	*p, *next;
	size_t		 n = 0;

	/* In deadline order but after a reload (see the top). */
	for (p = pt->out.head; p != NULL; p = next) {
		next = p->next;
		if (p->deadline <= now) {
			set_state(pt, p, PROBE_TIMEOUT);
			n++;
		} else if (!pt->unordered)
			break;
	}
	return n;
}

int
probe_next_deadline(const struct probe_table *pt, uint64_t *out)
{
	const struct probe	*p;
	int			 found = 0;

	/* The head is the earliest but after a reload changed the timeout. */
	for (p = pt->out.head; p != NULL; p = p->next) {
		if (!found || p->deadline < *out)
			*out = p->deadline;
		found = 1;
		if (!pt->unordered)
			break;
	}
	return found;
}

size_t
probe_done_count(const struct probe_table *pt)
{
	return pt->done.n;
}

struct probe *
probe_take_done(struct probe_table *pt)
{
	struct probe *p = pt->done.head;

	if (p != NULL)
		detach(pt, p);
	return p;
}

void
probe_free(struct probe *p)
{
	free(p);
}

void
probe_prune(struct probe_table *pt,
    int (*keep)(void *arg, const struct probe *p), void *arg)
{
	for (size_t i = 0; i < HASH_SIZE; i++) {
		struct probe *p = pt->hash[i], *next;

		for (; p != NULL; p = next) {
			next = p->hnext;
			if (!keep(arg, p))
				probe_remove(pt, p);
		}
	}
}

uint16_t
probe_id(const struct probe_table *pt)
{
	return pt->id;
}

size_t
probe_count(const struct probe_table *pt)
{
	return pt->count;
}

uint64_t
probe_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* RFC 1071: the one's complement of the one's complement sum. */
static uint16_t
icmp_sum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int
probe_open(char *err, size_t errsz)
{
	uint32_t	filt;
	int		fd, sndbuf = 4 << 20;

	fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_ICMP);
	if (fd < 0) {
		snprintf(err, errsz, "conflict detection: ICMP socket: %s",
		    strerror(errno));
		return -1;
	}
	/* The bits are the types kept out: all but echo replies. */
	filt = ~(1U << ICMP_ECHOREPLY);
	if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt)) != 0) {
		snprintf(err, errsz, "conflict detection: ICMP_FILTER: %s",
		    strerror(errno));
		close(fd);
		return -1;
	}
	/*
	 * An echo to an address nobody holds waits in the kernel for ARP
	 * (about 3 s) and is charged to the socket meanwhile: a boot storm's
	 * probes need room (FORCE needs CAP_NET_ADMIN: at start only).
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
	    sizeof(sndbuf)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
		    sizeof(sndbuf));
	return fd;
}

int
probe_send_echo(int fd, uint32_t ip, uint16_t id, uint16_t seq)
{
	uint8_t			pkt[ICMP_HDR + sizeof(ECHO_DATA)];
	struct sockaddr_in	sin;
	uint16_t		sum;
	ssize_t			r;

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = ICMP_ECHO;
	pkt[4] = (uint8_t)(id >> 8);
	pkt[5] = (uint8_t)id;
	pkt[6] = (uint8_t)(seq >> 8);
	pkt[7] = (uint8_t)seq;
	memcpy(pkt + ICMP_HDR, ECHO_DATA, sizeof(ECHO_DATA));
	sum = icmp_sum(pkt, sizeof(pkt));
	pkt[2] = (uint8_t)(sum >> 8);
	pkt[3] = (uint8_t)sum;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(ip);
	do
		r = sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&sin,
		    sizeof(sin));
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)sizeof(pkt) ? 0 : -1;
}

int
probe_parse_reply(const uint8_t *buf, size_t len, uint32_t *src,
    uint16_t *id, uint16_t *seq)
{
	const uint8_t	*icmp;
	size_t		 ihl;

	if (len < 20 || buf[0] >> 4 != 4)
		return -1;
	ihl = (size_t)(buf[0] & 0x0f) * 4;
	if (ihl < 20 || len < ihl + ICMP_HDR || buf[9] != IPPROTO_ICMP)
		return -1;
	icmp = buf + ihl;
	/* A whole echo reply: the sum over it comes out as 0. */
	if (icmp[0] != ICMP_ECHOREPLY || icmp[1] != 0 ||
	    icmp_sum(icmp, len - ihl) != 0)
		return -1;
	*src = (uint32_t)buf[12] << 24 | (uint32_t)buf[13] << 16 |
	    (uint32_t)buf[14] << 8 | buf[15];
	*id = (uint16_t)(icmp[4] << 8 | icmp[5]);
	*seq = (uint16_t)(icmp[6] << 8 | icmp[7]);
	return 0;
}

size_t
probe_recv(struct probe_table *pt, int fd)
{
	uint8_t		buf[1500];
	uint32_t	src;
	uint16_t	id, seq;
	size_t		answered = 0;
	ssize_t		r;

	for (int i = 0; i < 256; i++) {
		if ((r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) < 0) {
			if (errno == EINTR)
				continue;
			break;	/* EAGAIN: drained */
		}
		if (probe_parse_reply(buf, (size_t)r, &src, &id, &seq) == 0)
			answered += (size_t)probe_answer(pt, src, id, seq);
	}
	return answered;
}
