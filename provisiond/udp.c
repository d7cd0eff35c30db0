/*
 * udp.c - a datagram and where it was sent (udp.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "udp.h"

unsigned
udp_port(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)a)->
		    sin_port);
	if (a->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)a)->
		    sin6_port);
	return 0;
}

ssize_t
udp_recv(int fd, void *buf, size_t sz, struct udp_dgram *d)
{
	union {
		struct cmsghdr	 align;
		char		 b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	}			 cbuf;
	struct iovec		 iov = { buf, sz };
	struct msghdr		 mh;
	struct cmsghdr		*c;
	ssize_t			 n;

	memset(d, 0, sizeof(*d));
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &d->peer;
	mh.msg_namelen = sizeof(d->peer);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = &cbuf;
	mh.msg_controllen = sizeof(cbuf);
	if ((n = recvmsg(fd, &mh, MSG_TRUNC)) < 0)
		return -1;
	d->truncated = (size_t)n > sz || (mh.msg_flags & MSG_TRUNC);
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo	 pi;
			struct sockaddr_in	*sin = (void *)&d->local;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			d->group = IN_MULTICAST(ntohl(pi.ipi_addr.s_addr)) ||
			    pi.ipi_addr.s_addr == INADDR_BROADCAST;
			/* Our address on that link, whatever it was sent to. */
			sin->sin_family = AF_INET;
			sin->sin_addr = pi.ipi_spec_dst;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo	 pi;
			struct sockaddr_in6	*sin6 = (void *)&d->local;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			if ((d->group = IN6_IS_ADDR_MULTICAST(&pi.ipi6_addr)))
				continue;
			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = pi.ipi6_addr;
			sin6->sin6_scope_id = pi.ipi6_ifindex;
		}
	}
	return n;
}
