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
#include <sys/socket.h>
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

/*
 * Room in front of a reply's payload for the IPv4 and UDP headers that a
 * reply to a hardware address needs: the frame is finished in place,
 * without copying the payload.
 */
#define NET_HDR_ROOM	28

/* One reply of a batch. */
struct net_msg {
	uint8_t		*frame;	/* NET_HDR_ROOM bytes, then the payload */
	size_t		 len;	/* payload bytes, <= DHCP_MAX_LEN */
	int		 hw;	/* to hwaddr through the packet socket */
	uint32_t	 src;	/* hw: our address, host order */
	uint32_t	 ip;	/* destination, host order */
	uint16_t	 port;	/* destination port (hw: always 68) */
	uint8_t		 hwaddr[6];
	int		 err;	/* set by net_send_batch: 0 or an errno */
};

/*
 * Sends a batch of replies: those by UDP in one sendmmsg() on the
 * interface's socket, those to hardware addresses in one on its packet
 * socket (their IPv4/UDP headers written into the headroom). Each
 * message's err says whether it left. Returns the number that did not.
 * More than NET_BATCH_MAX messages go in several calls. The headers and
 * addresses are kept in static arrays: not reentrant.
 */
#define NET_BATCH_MAX	128
size_t	net_send_batch(const struct iface *ifc, struct net_msg *msgs,
	    size_t n);

/* One datagram of a received batch. */
struct net_rx {
	uint8_t		*buf;		/* the caller's, DHCP_MAX_LEN bytes */
	size_t		 len;		/* the bytes read (cut at DHCP_MAX_LEN) */
	uint32_t	 src;		/* IP source, host order */
	int		 unicast;	/* sent to one of ifc's addresses, not
					 * broadcast */
};

/*
 * Reads what ifc's socket holds, up to n (<= NET_BATCH_MAX) datagrams, in
 * one recvmmsg() that does not wait. Returns how many were read, 0 when
 * none was queued, -1 on an error. The headers are kept in static arrays:
 * not reentrant.
 */
int	net_recv_batch(const struct iface *ifc, struct net_rx *rx, size_t n);

/* sendmmsg(2)'s shape, so that tests can stand in for the kernel. */
typedef int	(*net_sendmmsg_fn)(int fd, struct mmsghdr *mm, unsigned n,
		    int flags);
/*
 * Sends mm[0..n) with as few calls of fn (NULL: sendmmsg) as it allows.
 * sendmmsg stops at the first message it cannot send: having sent some,
 * it returns their count and leaves the failure to the next call, which
 * then fails at once with -1. Such a message gets its errno in err[i]
 * and is skipped; the rest are still sent; EINTR is retried. Returns the
 * number of messages not sent.
 */
size_t	net_sendmmsg_all(int fd, struct mmsghdr *mm, size_t n, int *err,
	    net_sendmmsg_fn fn);
/*
 * Writes the IPv4 and UDP headers (checksums included) for len payload
 * bytes at frame + NET_HDR_ROOM, from src:67 to dst:68. Returns the
 * frame's length.
 */
size_t	net_frame_udp(uint8_t *frame, size_t len, uint32_t src, uint32_t dst);

#endif /* PB_NET_H */
