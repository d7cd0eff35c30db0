/*
 * udp.h - one datagram read with where it was sent (IP_PKTINFO,
 * IPV6_PKTINFO), for provisiond's UDP services beside HTTPS (TFTP, SIP
 * plug-and-play): the recvmsg() and its control messages in one place.
 * The socket must have IP_PKTINFO or IPV6_RECVPKTINFO set.
 */
#ifndef PB_UDP_H
#define PB_UDP_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

struct udp_dgram {
	struct sockaddr_storage	 peer;		/* who sent it */
	/*
	 * The server's address on the link it came in on, port 0: the
	 * address it was sent to, or for a broadcast or multicast one
	 * (IPv4: ipi_spec_dst) the interface's own. Family 0 if the
	 * kernel said nothing, or (IPv6) it came to a multicast address.
	 */
	struct sockaddr_storage	 local;
	int			 group;		/* sent to a broadcast or
						 * multicast address */
	int			 truncated;	/* longer than the buffer */
};

/*
 * Reads one datagram of at most sz bytes into buf. Returns its length
 * (the full length when truncated), or -1 when none is waiting (errno).
 */
ssize_t	udp_recv(int fd, void *buf, size_t sz, struct udp_dgram *d);

/* The port of a, in host order. */
unsigned udp_port(const struct sockaddr_storage *a);

#endif /* PB_UDP_H */
