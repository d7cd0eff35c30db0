/*
 * net.c - the DHCP server's sockets.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "packet.h"
#include "wire.h"

static int
wanted(const struct cfg *cfg, const char *name, uint32_t addr)
{
	const struct cfg_dhcp *d = &cfg->dhcp;

	if (d->ninterfaces > 0) {
		for (size_t i = 0; i < d->ninterfaces; i++)
			if (strcmp(d->interfaces[i], name) == 0)
				return 1;
		return 0;
	}
	for (size_t i = 0; i < d->nsubnets; i++) {
		const struct cfg_subnet *sn = &d->subnets[i];

		if (sn->interface != NULL ? strcmp(sn->interface, name) == 0 :
		    (addr & sn->mask) == sn->network)
			return 1;
	}
	return 0;
}

int
net_discover(const struct cfg *cfg, struct iface **out, char *err,
    size_t errsz)
{
	struct ifaddrs	*ifa = NULL, *p;
	struct iface	*v = NULL, *nv;
	size_t		 n = 0;

	*out = NULL;
	if (getifaddrs(&ifa) != 0) {
		snprintf(err, errsz, "getifaddrs: %s", strerror(errno));
		return -1;
	}
	for (p = ifa; p != NULL; p = p->ifa_next) {
		uint32_t	 addr;
		size_t		 k;

		if (p->ifa_addr == NULL || p->ifa_addr->sa_family != AF_INET ||
		    !(p->ifa_flags & IFF_UP))
			continue;
		addr = ntohl(((struct sockaddr_in *)(void *)p->ifa_addr)->
		    sin_addr.s_addr);
		if (!wanted(cfg, p->ifa_name, addr))
			continue;
		for (k = 0; k < n; k++)
			if (strcmp(v[k].name, p->ifa_name) == 0)
				break;
		if (k == n) {
			if ((nv = reallocarray(v, n + 1, sizeof(*v))) == NULL) {
				snprintf(err, errsz, "out of memory");
				free(v);
				freeifaddrs(ifa);
				return -1;
			}
			v = nv;
			memset(&v[n], 0, sizeof(v[n]));
			snprintf(v[n].name, sizeof(v[n].name), "%s",
			    p->ifa_name);
			v[n].index = if_nametoindex(p->ifa_name);
			v[n].udp_fd = v[n].raw_fd = -1;
			n++;
		}
		if (v[k].naddrs < IFACE_MAX_ADDRS)
			v[k].addrs[v[k].naddrs++] = addr;
	}
	freeifaddrs(ifa);
	/* Named interfaces that are missing or have no address. */
	for (size_t i = 0; i < cfg->dhcp.ninterfaces; i++) {
		size_t k;

		for (k = 0; k < n; k++)
			if (strcmp(v[k].name, cfg->dhcp.interfaces[i]) == 0)
				break;
		if (k == n) {
			snprintf(err, errsz, "interface %s does not exist, is "
			    "down or has no IPv4 address",
			    cfg->dhcp.interfaces[i]);
			free(v);
			return -1;
		}
	}
	*out = v;
	return (int)n;
}

int
net_open(struct iface *ifc, char *err, size_t errsz)
{
	struct sockaddr_in	sin;
	struct ifreq		ifr;
	int			on = 1, fd = -1, rcvbuf = 4 << 20;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errsz, "%s: socket: %s", ifc->name,
		    strerror(errno));
		goto fail;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) != 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifc->name,
	    (socklen_t)strlen(ifc->name)) != 0) {
		snprintf(err, errsz, "%s: setsockopt: %s", ifc->name,
		    strerror(errno));
		goto fail;
	}
	/*
	 * A boot storm arrives faster than one pass of the loop drains it:
	 * a large receive buffer holds the burst instead of dropping it.
	 * FORCE needs CAP_NET_ADMIN; without it the plain limit applies.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(DHCP_SERVER_PORT);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		snprintf(err, errsz, "%s: bind to port 67: %s", ifc->name,
		    strerror(errno));
		goto fail;
	}
	ifc->udp_fd = fd;
	/* Replies stay within the link's MTU (see dhcp_rx.mtu). */
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifc->name);
	ifc->mtu = ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0 ?
	    (unsigned)ifr.ifr_mtu : 0;
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errsz, "%s: packet socket: %s", ifc->name,
		    strerror(errno));
		goto fail;
	}
	ifc->raw_fd = fd;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	net_close(ifc);
	return -1;
}

void
net_close(struct iface *ifc)
{
	if (ifc->udp_fd >= 0)
		close(ifc->udp_fd);
	if (ifc->raw_fd >= 0)
		close(ifc->raw_fd);
	ifc->udp_fd = ifc->raw_fd = -1;
}

/* recvmmsg's headers: one batch at a time. */
static struct mmsghdr		 in_mm[NET_BATCH_MAX];
static struct iovec		 in_iov[NET_BATCH_MAX];
static struct sockaddr_in	 in_from[NET_BATCH_MAX];
static uint8_t			 in_ctl[NET_BATCH_MAX][64];

/* Was the datagram sent to one of ifc's addresses (not broadcast)? */
static int
rx_unicast(const struct iface *ifc, struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL;
	    c = CMSG_NXTHDR(mh, c)) {
		struct in_pktinfo pi;

		if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_PKTINFO)
			continue;
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		for (size_t k = 0; k < ifc->naddrs; k++)
			if (ntohl(pi.ipi_addr.s_addr) == ifc->addrs[k])
				return 1;
	}
	return 0;
}

int
net_recv_batch(const struct iface *ifc, struct net_rx *rx, size_t n)
{
	int	got;

	if (ifc->udp_fd < 0 || n == 0)
		return 0;
	if (n > NET_BATCH_MAX)
		n = NET_BATCH_MAX;
	for (size_t i = 0; i < n; i++) {
		struct msghdr *h = &in_mm[i].msg_hdr;

		in_iov[i].iov_base = rx[i].buf;
		in_iov[i].iov_len = DHCP_MAX_LEN;
		memset(h, 0, sizeof(*h));
		h->msg_iov = &in_iov[i];
		h->msg_iovlen = 1;
		h->msg_name = &in_from[i];
		h->msg_namelen = sizeof(in_from[i]);
		h->msg_control = in_ctl[i];
		h->msg_controllen = sizeof(in_ctl[i]);
	}
	if ((got = recvmmsg(ifc->udp_fd, in_mm, (unsigned)n, MSG_DONTWAIT,
	    NULL)) <= 0)
		return got < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR ? -1 : 0;
	for (int i = 0; i < got; i++) {
		rx[i].len = in_mm[i].msg_len;
		rx[i].src = ntohl(in_from[i].sin_addr.s_addr);
		rx[i].unicast = rx_unicast(ifc, &in_mm[i].msg_hdr);
	}
	return got;
}

/* RFC 1071 one's complement sum. */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t
net_frame_udp(uint8_t *frame, size_t len, uint32_t src, uint32_t dst)
{
	uint8_t		 pseudo[12];
	struct wire	 w;
	uint16_t	 ulen = (uint16_t)(8 + len), sum;

	/* IPv4 header, no options. */
	wire_init(&w, frame, NET_HDR_ROOM);
	wire_write_u8(&w, 0x45);
	wire_write_u8(&w, 0x10);	/* low delay */
	wire_write_u16(&w, (uint16_t)(20 + ulen));
	wire_write_u16(&w, 0);		/* id */
	wire_write_u16(&w, 0);		/* flags, fragment offset */
	wire_write_u8(&w, 64);		/* TTL */
	wire_write_u8(&w, IPPROTO_UDP);
	wire_write_u16(&w, 0);		/* checksum, below */
	wire_write_u32(&w, src);
	wire_write_u32(&w, dst);
	sum = csum_fold(csum_add(0, frame, 20));
	frame[10] = (uint8_t)(sum >> 8);
	frame[11] = (uint8_t)sum;
	/* UDP header; checksum over the pseudo-header and the payload. */
	wire_write_u16(&w, DHCP_SERVER_PORT);
	wire_write_u16(&w, DHCP_CLIENT_PORT);
	wire_write_u16(&w, ulen);
	wire_write_u16(&w, 0);
	memcpy(pseudo, frame + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_UDP;
	pseudo[10] = (uint8_t)(ulen >> 8);
	pseudo[11] = (uint8_t)ulen;
	sum = csum_fold(csum_add(csum_add(0, pseudo, 12), frame + 20, ulen));
	if (sum == 0)
		sum = 0xffff;
	frame[26] = (uint8_t)(sum >> 8);
	frame[27] = (uint8_t)sum;
	return NET_HDR_ROOM + len;
}

size_t
net_sendmmsg_all(int fd, struct mmsghdr *mm, size_t n, int *err,
    net_sendmmsg_fn fn)
{
	size_t	i = 0, failed = 0;
	int	r;

	while (i < n) {
		r = fn != NULL ? fn(fd, mm + i, (unsigned)(n - i), 0) :
		    sendmmsg(fd, mm + i, (unsigned)(n - i), 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			/* mm[i] is the one that failed (0: a broken promise). */
			err[i++] = r < 0 ? errno : EIO;
			failed++;
			continue;
		}
		if ((size_t)r > n - i)
			r = (int)(n - i);
		for (int k = 0; k < r; k++)
			err[i++] = 0;
	}
	return failed;
}

/* The messages' state for one batch; one batch at a time. */
static struct mmsghdr		 out_mm[NET_BATCH_MAX];
static struct iovec		 out_iov[NET_BATCH_MAX];
static struct sockaddr_in	 out_sin[NET_BATCH_MAX];
static struct sockaddr_ll	 out_sll[NET_BATCH_MAX];
static int			 out_err[NET_BATCH_MAX];
static size_t			 out_idx[NET_BATCH_MAX];

/*
 * Sends those of msgs that are of one kind (hw: to hardware addresses,
 * through the packet socket; else by UDP) with one sendmmsg, and sets
 * their err. Returns how many failed.
 */
static size_t
send_kind(const struct iface *ifc, struct net_msg *msgs, size_t n, int hw)
{
	size_t	k = 0, failed;

	for (size_t i = 0; i < n; i++) {
		struct net_msg	*m = &msgs[i];
		struct msghdr	*h = &out_mm[k].msg_hdr;

		if (m->err != 0 || !m->hw != !hw)
			continue;
		memset(h, 0, sizeof(*h));
		h->msg_iov = &out_iov[k];
		h->msg_iovlen = 1;
		if (hw) {
			struct sockaddr_ll *sll = &out_sll[k];

			out_iov[k].iov_base = m->frame;
			out_iov[k].iov_len = net_frame_udp(m->frame, m->len,
			    m->src, m->ip);
			memset(sll, 0, sizeof(*sll));
			sll->sll_family = AF_PACKET;
			sll->sll_protocol = htons(ETH_P_IP);
			sll->sll_ifindex = (int)ifc->index;
			sll->sll_halen = 6;
			memcpy(sll->sll_addr, m->hwaddr, 6);
			h->msg_name = sll;
			h->msg_namelen = sizeof(*sll);
		} else {
			struct sockaddr_in *sin = &out_sin[k];

			out_iov[k].iov_base = m->frame + NET_HDR_ROOM;
			out_iov[k].iov_len = m->len;
			memset(sin, 0, sizeof(*sin));
			sin->sin_family = AF_INET;
			sin->sin_port = htons(m->port);
			sin->sin_addr.s_addr = htonl(m->ip);
			h->msg_name = sin;
			h->msg_namelen = sizeof(*sin);
		}
		out_idx[k++] = i;
	}
	if (k == 0)
		return 0;
	failed = net_sendmmsg_all(hw ? ifc->raw_fd : ifc->udp_fd, out_mm, k,
	    out_err, NULL);
	for (size_t j = 0; j < k; j++)
		msgs[out_idx[j]].err = out_err[j];
	return failed;
}

size_t
net_send_batch(const struct iface *ifc, struct net_msg *msgs, size_t n)
{
	size_t failed = 0, chunk;

	for (size_t i = 0; i < n; i++) {
		msgs[i].err = 0;
		if (msgs[i].len > DHCP_MAX_LEN) {
			msgs[i].err = EMSGSIZE;
			failed++;
		}
	}
	for (; n > 0; msgs += chunk, n -= chunk) {
		chunk = n > NET_BATCH_MAX ? NET_BATCH_MAX : n;
		failed += send_kind(ifc, msgs, chunk, 0) +
		    send_kind(ifc, msgs, chunk, 1);
	}
	return failed;
}
