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

int
net_send_udp(const struct iface *ifc, uint32_t ip, uint16_t port,
    const uint8_t *buf, size_t len)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(ip);
	if (sendto(ifc->udp_fd, buf, len, 0, (struct sockaddr *)&sin,
	    sizeof(sin)) < 0)
		return -1;
	return 0;
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

int
net_send_hw(const struct iface *ifc, uint32_t src, uint32_t dst,
    const uint8_t hw[6], const uint8_t *buf, size_t len)
{
	uint8_t			 pkt[20 + 8 + DHCP_MAX_LEN];
	uint8_t			 pseudo[12];
	struct sockaddr_ll	 sll;
	struct wire		 w;
	uint16_t		 ulen = (uint16_t)(8 + len), sum;

	if (len > DHCP_MAX_LEN)
		return -1;
	/* IPv4 header, no options. */
	wire_init(&w, pkt, sizeof(pkt));
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
	sum = csum_fold(csum_add(0, pkt, 20));
	pkt[10] = (uint8_t)(sum >> 8);
	pkt[11] = (uint8_t)sum;
	/* UDP header and payload; checksum over the pseudo-header. */
	wire_write_u16(&w, DHCP_SERVER_PORT);
	wire_write_u16(&w, DHCP_CLIENT_PORT);
	wire_write_u16(&w, ulen);
	wire_write_u16(&w, 0);
	wire_write(&w, buf, len);
	memcpy(pseudo, pkt + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_UDP;
	pseudo[10] = (uint8_t)(ulen >> 8);
	pseudo[11] = (uint8_t)ulen;
	sum = csum_fold(csum_add(csum_add(0, pseudo, 12), pkt + 20, ulen));
	if (sum == 0)
		sum = 0xffff;
	pkt[26] = (uint8_t)(sum >> 8);
	pkt[27] = (uint8_t)sum;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)ifc->index;
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, hw, 6);
	if (sendto(ifc->raw_fd, pkt, 20 + ulen, 0, (struct sockaddr *)&sll,
	    sizeof(sll)) < 0)
		return -1;
	return 0;
}
