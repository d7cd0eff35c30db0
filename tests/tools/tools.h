/*
 * tools.h - what the test tools (pbcraft, pbprobe, pbslow) share: a
 * monotonic clock in milliseconds and the DHCP client's (or relay's)
 * socket. Header
 * only: each tool is one file, built on its own.
 */
#ifndef PB_TOOLS_H
#define PB_TOOLS_H

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static inline long long
tool_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A UDP socket on port (68 as a DHCP client has before it holds an
 * address, 67 as a relay agent) of ifname, allowed to broadcast. Exits
 * with status 2, naming prog, when it cannot be had (the tools' usage
 * errors exit 2 as well).
 */
static inline int
tool_dhcp_socket(const char *prog, const char *ifname, unsigned short port)
{
	struct sockaddr_in	sin;
	int			fd, on = 1, rcvbuf = 4 << 20;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
	    (socklen_t)strlen(ifname)) != 0) {
		fprintf(stderr, "%s: socket on %s: ", prog, ifname);
		perror(NULL);
		exit(2);
	}
	/*
	 * Replies to clients without an address are broadcast: every tool's
	 * socket on the link gets every one, and a storm of a thousand
	 * phones overflows the default buffer. 4 MiB, past net.core.rmem_max
	 * where root may (SO_RCVBUFFORCE), else as far as it goes.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		fprintf(stderr, "%s: bind to port %u: ", prog, port);
		perror(NULL);
		exit(2);
	}
	return fd;
}

static inline int
tool_dhcp_client_socket(const char *prog, const char *ifname)
{
	return tool_dhcp_socket(prog, ifname, 68);
}

#endif
