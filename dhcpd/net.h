/*
 * net.h - the DHCP server's sockets.
 *
 * One UDP socket per served interface, bound to port 67 and to the
 * interface (SO_BINDTODEVICE), so the receiving interface is known and
 * broadcasts leave through it. One AF_PACKET socket per interface sends
 * unicast replies to clients that have no address yet: the kernel cannot
 * ARP for them, so the Ethernet frame is addressed to chaddr directly
 * (RFC 2131 4.1). The packet socket is bound to no protocol and so never
 * receives.
 */
#ifndef PB_NET_H
#define PB_NET_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

#define IFACE_MAX_ADDRS	8

struct iface {
	char		 name[IFNAMSIZ];
	unsigned	 index;
	uint32_t	 addrs[IFACE_MAX_ADDRS];	/* host order */
	size_t		 naddrs;
	int		 udp_fd;
	int		 raw_fd;
	unsigned	 mtu;		/* at net_open(); 0 if unknown */
	void		*ev;		/* the daemon's struct event */
};

/*
 * Finds the interfaces to serve: those named in dhcp.interfaces, or, when
 * the list is empty, every interface with an IPv4 address inside one of
 * the subnets (or named by a subnet). Returns the count, -1 on error.
 */
int	net_discover(const struct cfg *cfg, struct iface **out, char *err,
	    size_t errsz);
/* Opens the sockets of one interface. 0, or -1 with err. */
int	net_open(struct iface *ifc, char *err, size_t errsz);
void	net_close(struct iface *ifc);

/* Sends a DHCP payload by UDP to ip:port through the interface's socket. */
int	net_send_udp(const struct iface *ifc, uint32_t ip, uint16_t port,
	    const uint8_t *buf, size_t len);
/*
 * Sends a DHCP payload to a client without an address: an IPv4/UDP
 * datagram from src:67 to dst:68 in an Ethernet frame to hw.
 */
int	net_send_hw(const struct iface *ifc, uint32_t src, uint32_t dst,
	    const uint8_t hw[6], const uint8_t *buf, size_t len);

#endif /* PB_NET_H */
