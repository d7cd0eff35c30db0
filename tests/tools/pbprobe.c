/*
 * pbprobe - a DHCP client for tests: behaves like a phone (its own Option 60,
 * Option 55 and MAC) and prints the server's answer option by option, raw,
 * where real clients sanitise or hide what they got.
 *
 *   pbprobe -i IFACE [-m MAC] [-V class] [-P 1,3,66] [-C clientid-hex]
 *           [-H hostname] [-r ip] [-s server-ip] [-n count] [-R rate]
 *           [-T ms] ACTION
 *
 * ACTION: dora (DISCOVER, REQUEST: prints the ACK), discover (prints the
 * OFFER), reboot IP (INIT-REBOOT REQUEST for IP), inform IP, release IP,
 * decline IP. With -n N, N clients (MACs counting up from -m) run dora at
 * once (or, with -R, starting RATE clients per second, as phones coming
 * back one by one); each ACK prints "ack MAC IP" and a last line
 * "acked N of M".
 * Requests set the broadcast bit, so answers reach this socket whatever
 * chaddr says. Exit status: 0 when every client got its ACK/OFFER, 1 for a
 * NAK or a timeout, 2 for usage errors.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "dhcpopt.h"
#include "log.h"
#include "packet.h"
#include "tools.h"

struct client {
	struct mac_addr	 mac;
	uint32_t	 xid;
	uint32_t	 offered;
	uint32_t	 server;
	int		 state;		/* 0 discover, 1 request, 2 done, 3 nak */
	int		 tries;
	long long	 next_ms;
};

static const char	*ifname;
static uint8_t		 vclass[255];
static size_t		 vclass_len;
static uint8_t		 prl[255];
static size_t		 prl_len;
static uint8_t		 clientid[255];
static size_t		 clientid_len;
static const char	*hostname;
static int		 fd = -1;
static int		 timeout_ms = 4000;
static int		 start_rate;	/* clients started per second, 0: all */
static struct dhcp_msg	 reply;

static void
usage(void)
{
	fprintf(stderr, "usage: pbprobe -i iface [-m mac] [-V class] "
	    "[-P list] [-C hex] [-H name] [-r ip] [-s ip] [-n count] [-R rate] "
	    "[-T ms] "
	    "dora|discover|reboot IP|inform IP|release IP|decline IP\n");
	exit(2);
}

/* Option 60 with C escapes (\x00, \\), as phones send binary ones. */
static size_t
unescape(const char *s, uint8_t *out, size_t sz)
{
	size_t n = 0;

	while (*s != '\0' && n < sz) {
		if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3]) {
			char hex[3] = { s[2], s[3], 0 };

			out[n++] = (uint8_t)strtoul(hex, NULL, 16);
			s += 4;
		} else if (s[0] == '\\' && s[1] == '\\') {
			out[n++] = '\\';
			s += 2;
		} else
			out[n++] = (uint8_t)*s++;
	}
	return n;
}

static void
open_socket(void)
{
	fd = tool_dhcp_client_socket("pbprobe", ifname);
}

static void
send_msg(const struct client *c, uint8_t type, uint32_t ciaddr,
    uint32_t requested, uint32_t server, uint32_t dst)
{
	struct dhcp_out_opt	 o[12];
	struct dhcp_hdr		 h;
	struct sockaddr_in	 sin;
	uint8_t			 buf[1024], req[4], sid[4], msz[2] = { 5, 0xc0 };
	unsigned		 omitted;
	size_t			 n = 0;
	int			 len;

	memset(&h, 0, sizeof(h));
	h.op = BOOTREQUEST;
	h.htype = 1;
	h.hlen = 6;
	h.xid = c->xid;
	h.flags = DHCP_FLAG_BROADCAST;
	h.ciaddr = ciaddr;
	memcpy(h.chaddr, c->mac.b, 6);
	o[n++] = (struct dhcp_out_opt){ DHO_MSG_TYPE, 1, &type };
	if (clientid_len > 0)
		o[n++] = (struct dhcp_out_opt){ DHO_CLIENT_ID,
		    (uint16_t)clientid_len, clientid };
	if (requested != 0) {
		req[0] = (uint8_t)(requested >> 24);
		req[1] = (uint8_t)(requested >> 16);
		req[2] = (uint8_t)(requested >> 8);
		req[3] = (uint8_t)requested;
		o[n++] = (struct dhcp_out_opt){ DHO_REQUESTED_ADDR, 4, req };
	}
	if (server != 0) {
		sid[0] = (uint8_t)(server >> 24);
		sid[1] = (uint8_t)(server >> 16);
		sid[2] = (uint8_t)(server >> 8);
		sid[3] = (uint8_t)server;
		o[n++] = (struct dhcp_out_opt){ DHO_SERVER_ID, 4, sid };
	}
	o[n++] = (struct dhcp_out_opt){ DHO_MAX_MSG_SIZE, 2, msz };
	if (vclass_len > 0)
		o[n++] = (struct dhcp_out_opt){ DHO_VENDOR_CLASS,
		    (uint16_t)vclass_len, vclass };
	if (hostname != NULL)
		o[n++] = (struct dhcp_out_opt){ DHO_HOST_NAME,
		    (uint16_t)strlen(hostname), (const uint8_t *)hostname };
	if (prl_len > 0)
		o[n++] = (struct dhcp_out_opt){ DHO_PARAM_REQ,
		    (uint16_t)prl_len, prl };
	if ((len = dhcp_build(&h, o, n, buf, sizeof(buf), &omitted)) < 0)
		exit(2);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(DHCP_SERVER_PORT);
	sin.sin_addr.s_addr = htonl(dst);
	if (sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&sin,
	    sizeof(sin)) < 0)
		perror("pbprobe: sendto");
}

/* Waits up to ms for a reply to one of clients; returns its index or -1. */
static int
receive(struct client *cs, size_t n, int ms)
{
	uint8_t		buf[DHCP_MAX_LEN];
	struct pollfd	pfd = { fd, POLLIN, 0 };
	ssize_t		len;

	if (poll(&pfd, 1, ms) <= 0)
		return -1;
	if ((len = recv(fd, buf, sizeof(buf), 0)) <= 0)
		return -1;
	if (dhcp_parse(buf, (size_t)len, &reply) != DHCP_P_OK ||
	    reply.op != BOOTREPLY)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (cs[i].xid == reply.xid &&
		    memcmp(cs[i].mac.b, reply.chaddr, 6) == 0)
			return (int)i;
	return -1;
}

static void
print_reply(void)
{
	char	 ip[IP4_STR_LEN], text[1024];

	printf("type=%s\n", dhcp_msgtype_str(reply.msgtype) + 4);
	printf("yiaddr=%s\n", ip4_format(reply.yiaddr, ip));
	printf("ciaddr=%s\n", ip4_format(reply.ciaddr, ip));
	printf("flags=0x%04x\n", reply.flags);
	for (unsigned c = 1; c < 255; c++) {
		const uint8_t	*p;
		size_t		 len;

		if ((p = dhcp_opt_get(&reply, (uint8_t)c, &len)) == NULL)
			continue;
		printf("hex%u=", c);
		for (size_t i = 0; i < len; i++)
			printf("%02x", p[i]);
		printf("\n");
		if (c == DHO_ROUTERS || c == DHO_DNS || c == DHO_SUBNET_MASK ||
		    c == DHO_SERVER_ID || c == 150 || c == 42) {
			printf("opt%u=", c);
			for (size_t i = 0; i + 4 <= len; i += 4)
				printf("%s%u.%u.%u.%u", i ? "," : "", p[i],
				    p[i + 1], p[i + 2], p[i + 3]);
			printf("\n");
		} else if (c == 51 || c == 58 || c == 59) {
			printf("opt%u=%u\n", c, len == 4 ? (unsigned)(p[0] <<
			    24 | p[1] << 16 | p[2] << 8 | p[3]) : 0);
		} else
			printf("opt%u=%s\n", c, log_escape(text, sizeof(text),
			    p, len));
	}
}

static uint32_t
parse_ip_arg(const char *s)
{
	uint32_t ip;

	if (ip4_parse(s, &ip) != 0) {
		fprintf(stderr, "pbprobe: bad address %s\n", s);
		exit(2);
	}
	return ip;
}

/* Runs DORA for n clients at once, with retries, until timeout_ms. */
static int
storm(struct client *cs, size_t n, uint32_t requested, uint32_t server)
{
	long long	 deadline = tool_now_ms() + timeout_ms, t;
	size_t		 done = 0, acked = 0;
	char		 mac[MAC_STR_LEN], ip[IP4_STR_LEN];

	if (start_rate > 0)
		for (size_t k = 0; k < n; k++)
			cs[k].next_ms = tool_now_ms() + (long long)k * 1000 /
			    start_rate;
	while (done < n && (t = tool_now_ms()) < deadline) {
		int i;

		for (size_t k = 0; k < n; k++) {
			struct client *c = &cs[k];

			if (c->state >= 2 || c->next_ms > t)
				continue;
			if (c->tries++ >= 5) {
				c->state = 3;
				done++;
				continue;
			}
			if (c->state == 0)
				send_msg(c, DHCPDISCOVER, 0, requested, 0,
				    INADDR_BROADCAST);
			else
				send_msg(c, DHCPREQUEST, 0, c->offered,
				    c->server, INADDR_BROADCAST);
			c->next_ms = t + 1000;
		}
		while ((i = receive(cs, n, 20)) >= 0) {
			struct client	*c = &cs[i];
			uint32_t	 sid = 0;

			dhcp_opt_ip(&reply, DHO_SERVER_ID, &sid);
			if (c->state == 0 && reply.msgtype == DHCPOFFER) {
				c->state = 1;
				c->offered = reply.yiaddr;
				c->server = server != 0 ? server : sid;
				c->tries = 0;
				c->next_ms = 0;
			} else if (c->state == 1 && reply.msgtype == DHCPACK) {
				c->state = 2;
				done++;
				acked++;
				if (n == 1)
					print_reply();
				else
					printf("ack %s %s\n", mac_format(
					    &c->mac, mac), ip4_format(
					    reply.yiaddr, ip));
			} else if (c->state == 1 && reply.msgtype == DHCPNAK) {
				c->state = 3;
				done++;
				if (n == 1)
					print_reply();
				else
					printf("nak %s\n", mac_format(&c->mac,
					    mac));
			}
		}
	}
	if (n > 1)
		printf("acked %zu of %zu\n", acked, n);
	else if (acked == 0 && cs[0].state != 3)
		printf("type=TIMEOUT\n");
	fflush(stdout);
	return acked == n ? 0 : 1;
}

/* One message, one answer (or none). */
static int
single(struct client *c, uint8_t type, uint32_t ciaddr, uint32_t requested,
    uint32_t server, int expect_reply)
{
	long long deadline = tool_now_ms() + timeout_ms;

	for (int tries = 0; tries < 3 && tool_now_ms() < deadline; tries++) {
		long long until = tool_now_ms() + 1000;

		/* Broadcast even RELEASE: the client may have no address. */
		send_msg(c, type, ciaddr, requested, server, INADDR_BROADCAST);
		if (!expect_reply)
			return 0;
		while (tool_now_ms() < until)
			if (receive(c, 1, (int)(until - tool_now_ms())) == 0) {
				print_reply();
				return reply.msgtype == DHCPNAK ? 1 : 0;
			}
	}
	printf("type=TIMEOUT\n");
	return 1;
}

int
main(int argc, char *argv[])
{
	struct client	*cs;
	struct mac_addr	 base = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };
	uint32_t	 requested = 0, server = 0, arg = 0;
	size_t		 n = 1;
	const char	*action;
	int		 ch, ret;

	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	while ((ch = getopt(argc, argv, "i:m:V:P:C:H:r:s:n:R:T:")) != -1) {
		switch (ch) {
		case 'i':
			ifname = optarg;
			break;
		case 'm':
			if (mac_parse(optarg, &base) != 0)
				usage();
			break;
		case 'V':
			vclass_len = unescape(optarg, vclass, sizeof(vclass));
			break;
		case 'P': {
			char *s = strdup(optarg), *tok, *save = NULL;

			for (tok = strtok_r(s, ",", &save); tok != NULL &&
			    prl_len < sizeof(prl); tok = strtok_r(NULL, ",",
			    &save))
				prl[prl_len++] = (uint8_t)atoi(tok);
			free(s);
			break;
		}
		case 'C': {
			int len = opt_hex_parse(optarg, clientid,
			    sizeof(clientid));

			if (len < 0)
				usage();
			clientid_len = (size_t)len;
			break;
		}
		case 'H':
			hostname = optarg;
			break;
		case 'r':
			requested = parse_ip_arg(optarg);
			break;
		case 's':
			server = parse_ip_arg(optarg);
			break;
		case 'n':
			n = (size_t)atoi(optarg);
			break;
		case 'R':
			start_rate = atoi(optarg);
			break;
		case 'T':
			timeout_ms = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (ifname == NULL || argc < 1 || n == 0 || n > 100000)
		usage();
	action = argv[0];
	if (argc > 1)
		arg = parse_ip_arg(argv[1]);
	if ((cs = calloc(n, sizeof(*cs))) == NULL)
		return 2;
	for (size_t i = 0; i < n; i++) {
		uint32_t low = (uint32_t)(base.b[3] << 16 | base.b[4] << 8 |
		    base.b[5]) + (uint32_t)i;

		cs[i].mac = base;
		cs[i].mac.b[3] = (uint8_t)(low >> 16);
		cs[i].mac.b[4] = (uint8_t)(low >> 8);
		cs[i].mac.b[5] = (uint8_t)low;
		cs[i].xid = (uint32_t)rand() ^ (uint32_t)i << 16;
	}
	open_socket();
	if (strcmp(action, "dora") == 0)
		ret = storm(cs, n, requested, server);
	else if (strcmp(action, "discover") == 0)
		ret = single(cs, DHCPDISCOVER, 0, requested, 0, 1);
	else if (strcmp(action, "reboot") == 0 && arg != 0)
		ret = single(cs, DHCPREQUEST, 0, arg, 0, 1);
	else if (strcmp(action, "inform") == 0 && arg != 0)
		ret = single(cs, DHCPINFORM, arg, 0, 0, 1);
	else if (strcmp(action, "release") == 0 && arg != 0)
		ret = single(cs, DHCPRELEASE, arg, 0, server, 0);
	else if (strcmp(action, "decline") == 0 && arg != 0)
		ret = single(cs, DHCPDECLINE, 0, arg, server, 0);
	else
		usage();
	free(cs);
	close(fd);
	return ret;
}
