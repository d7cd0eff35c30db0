/*
 * pbstorm.c - the phones of the boot-storm benchmark (tests/bench/storm.sh)
 * in one process: every phone's HTTPS connection in one epoll loop, so the
 * benchmark measures the servers rather than a thousand client processes.
 *
 *   pbstorm -c CA_FILE [-o CONN_MS] [-t DEADLINE_MS] SPEC
 *
 * SPEC is a text file of tab-separated lines:
 *
 *   net	NAME	NETNS	IFACE	PREFIXLEN	ARGV0	ARGV1 ...
 *   phone	NAME	MAC	USER-AGENT	URL [URL ...]
 *
 * A "net" line is one namespace of phones (/run/netns/NETNS) and the DHCP
 * command run inside it; at time 0 every net's command starts at once, and
 * each "ack MAC IP" line on its stdout starts that phone: the address goes
 * on IFACE (rtnetlink RTM_NEWADDR, IP/PREFIXLEN), a TCP socket made in the
 * namespace is bound to IP and connects to the URLs' server, a full TLS
 * handshake verifies the server against CA_FILE (for the IP in the URL),
 * and the URLs are fetched in order on that one connection, each with the
 * phone's User-Agent. The command must write its lines unbuffered
 * (stdbuf -oL for pbprobe). A phone is provisioned when every answer is
 * 200 with a body of exactly its Content-Length bytes (at least one).
 * A phone's files must all be on one server (https://IPv4[:port]/path).
 *
 * No TLS session is reused: a phone is a device of its own and has none.
 *
 * Limits: CONN_MS (default 30000) from a phone's ACK to its last byte;
 * DEADLINE_MS (default 120000) from time 0 for the whole storm, when the
 * DHCP commands still running get SIGTERM and unfinished phones count as
 * errors. Headers are capped at 8 KiB, at most 8 URLs per phone.
 *
 * Output, after the storm, on stdout (times in ms since time 0, "-" for
 * none):
 *
 *   phone MAC NAME IP ACK_MS TLS_MS DONE_MS CODES RESULT
 *   dhcp NAME END_MS EXIT ACKED
 *   cpu SELF_MS CHILDREN_MS
 *
 * ACK_MS: when the phone's ack line was read; TLS_MS: its handshake done;
 * DONE_MS: its last body complete, or its error; CODES: the statuses,
 * comma-terminated ("200,200,", "000," for none); RESULT: "ok", or
 * "error: WHY" (the rest of the line). END_MS: when the command's stdout
 * closed; EXIT: its exit status (128 + N for a signal N). cpu: user +
 * system time of this process and of its reaped children (the DHCP
 * commands).
 * Exit status: 0 when every phone was provisioned, 1 otherwise, 2 for a
 * usage or set-up error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define PS_MAX_FILES	8
#define PS_MAX_HDR	8192
#define PS_MAX_REQ	1024
#define PS_LINE_MAX	4096
#define PS_TICK_MS	50

enum ps_state {
	PS_WAITING,	/* no ACK yet */
	PS_CONNECTING,
	PS_HANDSHAKE,
	PS_WRITING,
	PS_READING,
	PS_DONE,
	PS_FAILED
};

struct ps_net {
	char		*name;
	char		*netns;
	char		**argv;
	char		 ifname[IFNAMSIZ];
	int		 nsfd;
	int		 nl;		/* rtnetlink, inside the namespace */
	unsigned	 ifindex;
	unsigned	 prefixlen;
	pid_t		 pid;
	int		 out;		/* the command's stdout, or -1 */
	char		 line[PS_LINE_MAX];
	size_t		 line_len;
	long long	 end_us;
	int		 status;
	int		 acked;
};

struct ps_phone {
	struct ps_net	*net;
	uint8_t		 mac[6];
	char		*mac_str;
	char		*ua;
	char		*paths[PS_MAX_FILES];
	int		 nfiles;

	enum ps_state	 state;
	int		 active;	/* counted in active */
	struct in_addr	 ip;
	int		 fd;
	SSL		*ssl;
	uint32_t	 events;	/* epoll interest now */
	long long	 ack_us, tls_us, done_us, deadline_us;
	int		 file;		/* the file being fetched */
	int		 codes[PS_MAX_FILES];
	char		*req;		/* the request being written */
	size_t		 req_len, req_off;
	char		*hdr;		/* the answer's headers so far */
	size_t		 hdr_len;
	int		 in_body;
	int		 keep_alive;
	long long	 body_left;
	char		 err[160];
};

/* epoll data: the kind in the high half, the index in the low. */
#define PS_EV_NET	1ULL
#define PS_EV_PHONE	2ULL

static struct ps_net	*nets;
static size_t		 nnets;
static struct ps_phone	*phones;
static size_t		 nphones;
static SSL_CTX		*ctx;
static struct sockaddr_in server;
static char		 server_host[64];	/* its IP, for the check */
static char		 host_hdr[80];
static int		 ep = -1;
static int		 self_ns = -1;
static long long	 t0_us;
static long long	 conn_ms = 30000;
static size_t		 active;	/* phones acked and not finished */
static uint32_t		 nl_seq;
static char		 scratch[16384];

static void
usage(void)
{
	fprintf(stderr, "usage: pbstorm -c CA_FILE [-o CONN_MS] "
	    "[-t DEADLINE_MS] SPEC\n");
	exit(2);
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pbstorm: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *
xcalloc(size_t n, size_t sz)
{
	void *p;

	if ((p = calloc(n, sz)) == NULL)
		die("out of memory");
	return p;
}

static char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		die("out of memory");
	return p;
}

static const char *
ps_state_str(enum ps_state s)
{
	switch (s) {
	case PS_WAITING:
		return "waiting for its ACK";
	case PS_CONNECTING:
		return "connect";
	case PS_HANDSHAKE:
		return "TLS handshake";
	case PS_WRITING:
		return "sending a request";
	case PS_READING:
		return "reading an answer";
	case PS_DONE:
		return "done";
	case PS_FAILED:
		return "failed";
	}
	return "?";
}

static int
mac_parse6(const char *s, uint8_t mac[6])
{
	unsigned	b[6];
	char		end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
	    &b[3], &b[4], &b[5], &end) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int
phone_cmp(const void *a, const void *b)
{
	const struct ps_phone *x = a, *y = b;

	return memcmp(x->mac, y->mac, 6);
}

static struct ps_phone *
phone_find(const uint8_t mac[6])
{
	struct ps_phone key;

	memcpy(key.mac, mac, 6);
	return bsearch(&key, phones, nphones, sizeof(*phones), phone_cmp);
}

static struct ps_net *
net_find(const char *name)
{
	for (size_t i = 0; i < nnets; i++)
		if (strcmp(nets[i].name, name) == 0)
			return &nets[i];
	return NULL;
}

/*
 * Splits "https://A.B.C.D[:PORT]/PATH": sets the one server of the storm
 * from the first URL and requires every later one to name it; returns the
 * path (a copy) or NULL.
 */
static char *
url_path(const char *url)
{
	struct sockaddr_in	 sin;
	const char		*h, *slash, *colon;
	char			 host[64];
	unsigned long		 port = 443;
	size_t			 n;

	if (strncmp(url, "https://", 8) != 0)
		return NULL;
	h = url + 8;
	if ((slash = strchr(h, '/')) == NULL)
		return NULL;
	colon = memchr(h, ':', (size_t)(slash - h));
	n = (size_t)((colon != NULL ? colon : slash) - h);
	if (n == 0 || n >= sizeof(host))
		return NULL;
	memcpy(host, h, n);
	host[n] = '\0';
	if (colon != NULL) {
		char *end;

		port = strtoul(colon + 1, &end, 10);
		if (end != slash || port == 0 || port > 65535)
			return NULL;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return NULL;
	if (server.sin_family == 0) {
		server = sin;
		snprintf(server_host, sizeof(server_host), "%s", host);
		if (port == 443)
			snprintf(host_hdr, sizeof(host_hdr), "%s", host);
		else
			snprintf(host_hdr, sizeof(host_hdr), "%s:%lu", host,
			    port);
	} else if (server.sin_addr.s_addr != sin.sin_addr.s_addr ||
	    server.sin_port != sin.sin_port)
		return NULL;
	return xstrdup(slash);
}

/* Splits line at tabs in place: up to max fields, returns their count. */
static size_t
split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *s;

	while (n < max && (s = strsep(&line, "\t")) != NULL)
		f[n++] = s;
	return n;
}

/* Reads SPEC; every error is fatal with the line number. */
static void
spec_read(const char *path)
{
	FILE		*fp;
	char		*line = NULL, *f[64];
	size_t		 cap = 0, n, lineno = 0, nets_cap = 0, phones_cap = 0;
	ssize_t		 len;

	if ((fp = fopen(path, "r")) == NULL)
		die("%s: %s", path, strerror(errno));
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		n = split_tabs(line, f, sizeof(f) / sizeof(f[0]));
		if (strcmp(f[0], "net") == 0) {
			struct ps_net	*nt;
			char		*end;

			if (n < 6)
				die("%s:%zu: net NAME NETNS IFACE PREFIXLEN "
				    "ARGV...", path, lineno);
			if (net_find(f[1]) != NULL)
				die("%s:%zu: net %s twice", path, lineno, f[1]);
			if (nnets == nets_cap) {
				nets_cap = nets_cap ? nets_cap * 2 : 8;
				nets = realloc(nets, nets_cap * sizeof(*nets));
				if (nets == NULL)
					die("out of memory");
			}
			nt = &nets[nnets++];
			memset(nt, 0, sizeof(*nt));
			nt->name = xstrdup(f[1]);
			nt->netns = xstrdup(f[2]);
			if (strlen(f[3]) >= sizeof(nt->ifname))
				die("%s:%zu: interface name too long", path,
				    lineno);
			memcpy(nt->ifname, f[3], strlen(f[3]) + 1);
			nt->argv = xcalloc(n - 5 + 1, sizeof(char *));
			nt->prefixlen = (unsigned)strtoul(f[4], &end, 10);
			if (*end != '\0' || nt->prefixlen < 1 ||
			    nt->prefixlen > 32)
				die("%s:%zu: prefix length 1 to 32", path,
				    lineno);
			for (size_t i = 5; i < n; i++)
				nt->argv[i - 5] = xstrdup(f[i]);
			nt->nsfd = nt->nl = nt->out = -1;
		} else if (strcmp(f[0], "phone") == 0) {
			struct ps_phone	*p;
			struct ps_net	*nt;

			if (n < 5 || n - 4 > PS_MAX_FILES)
				die("%s:%zu: phone NAME MAC USER-AGENT URL "
				    "(1 to %d URLs)", path, lineno,
				    PS_MAX_FILES);
			if ((nt = net_find(f[1])) == NULL)
				die("%s:%zu: no net %s before it", path,
				    lineno, f[1]);
			if (nphones == phones_cap) {
				phones_cap = phones_cap ? phones_cap * 2 : 256;
				phones = realloc(phones,
				    phones_cap * sizeof(*phones));
				if (phones == NULL)
					die("out of memory");
			}
			p = &phones[nphones++];
			memset(p, 0, sizeof(*p));
			p->net = nt;
			if (mac_parse6(f[2], p->mac) != 0)
				die("%s:%zu: bad MAC %s", path, lineno, f[2]);
			p->mac_str = xstrdup(f[2]);
			p->ua = xstrdup(f[3]);
			for (size_t i = 4; i < n; i++) {
				p->paths[p->nfiles] = url_path(f[i]);
				if (p->paths[p->nfiles] == NULL)
					die("%s:%zu: URL %s: not https://IPv4"
					    "[:port]/path of the first URL's "
					    "server", path, lineno, f[i]);
				if (strlen(p->paths[p->nfiles]) +
				    strlen(p->ua) + strlen(host_hdr) + 64 >
				    PS_MAX_REQ)
					die("%s:%zu: request too long", path,
					    lineno);
				p->nfiles++;
			}
			p->fd = -1;
		} else
			die("%s:%zu: a line starts with net or phone", path,
			    lineno);
	}
	free(line);
	fclose(fp);
	if (nphones == 0)
		die("%s: no phone", path);
	qsort(phones, nphones, sizeof(*phones), phone_cmp);
	for (size_t i = 1; i < nphones; i++)
		if (memcmp(phones[i - 1].mac, phones[i].mac, 6) == 0)
			die("%s: MAC %s twice", path, phones[i].mac_str);
}

/*
 * Opens, inside each net's namespace, its rtnetlink socket and looks up
 * its interface; the process itself stays in (and returns to) its own
 * namespace, and the socket keeps the one it was made in.
 */
static void
nets_open(void)
{
	char path[256];

	if ((self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) == -1)
		die("/proc/self/ns/net: %s", strerror(errno));
	for (size_t i = 0; i < nnets; i++) {
		struct ps_net		*nt = &nets[i];
		struct sockaddr_nl	 snl;

		snprintf(path, sizeof(path), "/run/netns/%s", nt->netns);
		if ((nt->nsfd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			die("%s: %s", path, strerror(errno));
		if (setns(nt->nsfd, CLONE_NEWNET) == -1)
			die("setns %s: %s", path, strerror(errno));
		nt->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
		    NETLINK_ROUTE);
		nt->ifindex = if_nametoindex(nt->ifname);
		if (setns(self_ns, CLONE_NEWNET) == -1)
			die("setns back: %s", strerror(errno));
		if (nt->nl == -1)
			die("netlink socket in %s: %s", nt->netns,
			    strerror(errno));
		if (nt->ifindex == 0)
			die("no interface %s in %s", nt->ifname, nt->netns);
		memset(&snl, 0, sizeof(snl));
		snl.nl_family = AF_NETLINK;
		if (bind(nt->nl, (struct sockaddr *)&snl, sizeof(snl)) == -1)
			die("netlink bind: %s", strerror(errno));
	}
}

/*
 * Puts ip/prefixlen on the net's interface, as "ip addr add" does, and
 * waits for the kernel's answer: rtnetlink handles a request inside
 * sendmsg, so the answer is already queued and recv does not wait. An
 * address already there counts as added. Returns 0 or -1 with why in err.
 */
static int
addr_add(struct ps_net *nt, struct in_addr ip, char *err, size_t errsz)
{
	struct {
		struct nlmsghdr		nh;
		struct ifaddrmsg	ifa;
		char			attrs[64];
	} req;
	struct rtattr	*rta;
	char		 buf[1024];
	uint32_t	 seq = ++nl_seq;
	ssize_t		 len;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifa));
	req.nh.nlmsg_type = RTM_NEWADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
	    NLM_F_EXCL;
	req.nh.nlmsg_seq = seq;
	req.ifa.ifa_family = AF_INET;
	req.ifa.ifa_prefixlen = (unsigned char)nt->prefixlen;
	req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	req.ifa.ifa_index = nt->ifindex;
	/* IFA_LOCAL is the address, IFA_ADDRESS the peer: the same here. */
	for (int type = IFA_LOCAL; type >= IFA_ADDRESS; type--) {
		rta = (struct rtattr *)((char *)&req +
		    NLMSG_ALIGN(req.nh.nlmsg_len));
		rta->rta_type = (unsigned short)type;
		rta->rta_len = RTA_LENGTH(sizeof(ip));
		memcpy(RTA_DATA(rta), &ip, sizeof(ip));
		req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) +
		    RTA_ALIGN(rta->rta_len);
	}
	if (send(nt->nl, &req, req.nh.nlmsg_len, 0) == -1) {
		snprintf(err, errsz, "netlink send: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		struct nlmsghdr	*nh;
		struct nlmsgerr	*e;

		if ((len = recv(nt->nl, buf, sizeof(buf), 0)) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errsz, "netlink recv: %s",
			    strerror(errno));
			return -1;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		    nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != seq ||
			    nh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
				snprintf(err, errsz, "netlink: short answer");
				return -1;
			}
			e = NLMSG_DATA(nh);
			if (e->error == 0 || e->error == -EEXIST)
				return 0;
			snprintf(err, errsz, "RTM_NEWADDR: %s",
			    strerror(-e->error));
			return -1;
		}
	}
}

static void
set_events(struct ps_phone *p, uint32_t events)
{
	struct epoll_event ev;

	if (p->events == events)
		return;
	ev.events = events;
	ev.data.u64 = PS_EV_PHONE << 32 | (uint64_t)(p - phones);
	if (epoll_ctl(ep, p->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
	    p->fd, &ev) == -1)
		die("epoll_ctl: %s", strerror(errno));
	p->events = events;
}

/* Ends a phone's connection; the phone keeps its times and error. */
static void
phone_close(struct ps_phone *p)
{
	if (p->ssl != NULL) {
		/* close_notify, once, without waiting for the server's. */
		if (p->state == PS_DONE)
			(void)SSL_shutdown(p->ssl);
		SSL_free(p->ssl);
		p->ssl = NULL;
	}
	if (p->fd != -1) {
		/* close() takes the fd out of the epoll set. */
		close(p->fd);
		p->fd = -1;
	}
	p->events = 0;
	free(p->req);
	free(p->hdr);
	p->req = p->hdr = NULL;
	if (p->active) {
		p->active = 0;
		active--;
	}
}

static void
phone_fail(struct ps_phone *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	p->state = PS_FAILED;
	p->done_us = now_us();
	ERR_clear_error();
	phone_close(p);
}

/* The TLS error of r from an SSL_* call: 1 to wait, -1 when p failed. */
static int
phone_want(struct ps_phone *p, int r, const char *what)
{
	unsigned long	e;
	char		buf[120];
	long		vr;

	switch (SSL_get_error(p->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		set_events(p, EPOLLIN);
		return 1;
	case SSL_ERROR_WANT_WRITE:
		set_events(p, EPOLLOUT);
		return 1;
	case SSL_ERROR_ZERO_RETURN:
		phone_fail(p, "%s: the server closed the connection "
		    "(close_notify)", what);
		return -1;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0) {
			phone_fail(p, "%s: %s", what, errno != 0 ?
			    strerror(errno) : "the server closed the "
			    "connection");
			return -1;
		}
		/* FALLTHROUGH */
	default:
		vr = SSL_get_verify_result(p->ssl);
		if (vr != X509_V_OK) {
			phone_fail(p, "%s: certificate: %s", what,
			    X509_verify_cert_error_string(vr));
			return -1;
		}
		e = ERR_get_error();
		ERR_error_string_n(e, buf, sizeof(buf));
		phone_fail(p, "%s: %s", what, e != 0 ? buf : "TLS error");
		return -1;
	}
}

static void
phone_request(struct ps_phone *p)
{
	int n;

	if (p->req == NULL && (p->req = malloc(PS_MAX_REQ)) == NULL)
		die("out of memory");
	n = snprintf(p->req, PS_MAX_REQ, "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: %s\r\nAccept: */*\r\n\r\n", p->paths[p->file],
	    host_hdr, p->ua);
	p->req_len = (size_t)n;	/* spec_read checked that it fits */
	p->req_off = 0;
	p->hdr_len = 0;
	p->in_body = 0;
	p->state = PS_WRITING;
}

/*
 * Parses the headers in p->hdr (up to the blank line): the status and
 * Content-Length, which must be there (no chunked answers: provisiond
 * sends a length). Returns 0, or -1 when p failed.
 */
static int
phone_headers(struct ps_phone *p)
{
	char		*line, *next, *v, *end;
	int		 status = 0, have_len = 0;
	long long	 clen = 0;

	p->keep_alive = 1;
	for (line = p->hdr; line != NULL; line = next) {
		if ((next = strstr(line, "\r\n")) != NULL) {
			*next = '\0';
			next += 2;
		}
		if (*line == '\0')
			break;
		if (line == p->hdr) {
			if (strncmp(line, "HTTP/1.", 7) != 0 ||
			    sscanf(line + 8, " %3d", &status) != 1) {
				phone_fail(p, "%s: not an HTTP/1 answer",
				    p->paths[p->file]);
				return -1;
			}
			if (line[7] == '0')
				p->keep_alive = 0;
			continue;
		}
		if ((v = strchr(line, ':')) == NULL)
			continue;
		*v++ = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		if (strcasecmp(line, "Content-Length") == 0) {
			errno = 0;
			clen = strtoll(v, &end, 10);
			if (errno != 0 || end == v || clen < 0) {
				phone_fail(p, "%s: bad Content-Length",
				    p->paths[p->file]);
				return -1;
			}
			have_len = 1;
		} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
			phone_fail(p, "%s: Transfer-Encoding %.20s, "
			    "no Content-Length", p->paths[p->file], v);
			return -1;
		} else if (strcasecmp(line, "Connection") == 0 &&
		    strcasecmp(v, "close") == 0)
			p->keep_alive = 0;
	}
	p->codes[p->file] = status;
	if (status != 200) {
		phone_fail(p, "%s: status %d", p->paths[p->file], status);
		return -1;
	}
	if (!have_len || clen == 0) {
		phone_fail(p, "%s: %s", p->paths[p->file], have_len ?
		    "empty body" : "no Content-Length");
		return -1;
	}
	p->body_left = clen;
	p->in_body = 1;
	return 0;
}

/*
 * Takes n bytes of the answer being read. Returns 1 when the answer is
 * complete, 0 for more, -1 when p failed. Bytes past the body are an
 * error: nothing else was asked for.
 */
static int
phone_input(struct ps_phone *p, const char *buf, size_t n)
{
	if (!p->in_body) {
		size_t	 old = p->hdr_len, take, from;
		char	*eoh;

		take = n < PS_MAX_HDR - p->hdr_len ? n : PS_MAX_HDR -
		    p->hdr_len;
		memcpy(p->hdr + p->hdr_len, buf, take);
		p->hdr_len += take;
		p->hdr[p->hdr_len] = '\0';
		/* The blank line may straddle two reads. */
		from = old > 3 ? old - 3 : 0;
		if ((eoh = strstr(p->hdr + from, "\r\n\r\n")) == NULL) {
			if (p->hdr_len == PS_MAX_HDR) {
				phone_fail(p, "%s: headers over %d bytes",
				    p->paths[p->file], PS_MAX_HDR);
				return -1;
			}
			return 0;
		}
		eoh += 4;
		/* What came after the headers, in this read, is body. */
		buf += (size_t)(eoh - p->hdr) - old;
		n -= (size_t)(eoh - p->hdr) - old;
		eoh[-2] = '\0';
		if (phone_headers(p) == -1)
			return -1;
	}
	if ((long long)n > p->body_left) {
		phone_fail(p, "%s: %lld bytes after the body",
		    p->paths[p->file], (long long)n - p->body_left);
		return -1;
	}
	p->body_left -= (long long)n;
	return p->body_left == 0 ? 1 : 0;
}

/* Runs p's connection as far as it goes without waiting. */
static void
phone_step(struct ps_phone *p)
{
	int r;

	for (;;) {
		switch (p->state) {
		case PS_HANDSHAKE:
			if ((r = SSL_do_handshake(p->ssl)) != 1) {
				phone_want(p, r, "TLS handshake");
				return;
			}
			p->tls_us = now_us();
			phone_request(p);
			break;
		case PS_WRITING:
			r = SSL_write(p->ssl, p->req + p->req_off,
			    (int)(p->req_len - p->req_off));
			if (r <= 0) {
				phone_want(p, r, p->paths[p->file]);
				return;
			}
			p->req_off += (size_t)r;
			if (p->req_off == p->req_len) {
				if (p->hdr == NULL &&
				    (p->hdr = malloc(PS_MAX_HDR + 1)) == NULL)
					die("out of memory");
				p->state = PS_READING;
			}
			break;
		case PS_READING:
			r = SSL_read(p->ssl, scratch, sizeof(scratch));
			if (r <= 0) {
				phone_want(p, r, p->paths[p->file]);
				return;
			}
			if ((r = phone_input(p, scratch, (size_t)r)) == -1)
				return;
			if (r == 0)
				break;
			if (++p->file == p->nfiles) {
				p->done_us = now_us();
				p->state = PS_DONE;
				phone_close(p);
				return;
			}
			if (!p->keep_alive) {
				phone_fail(p, "%s: the server ends the "
				    "connection after it (Connection: close)",
				    p->paths[p->file - 1]);
				return;
			}
			phone_request(p);
			break;
		default:
			return;
		}
	}
}

/* The TCP connection is up (or failed): on to the handshake. */
static void
phone_connected(struct ps_phone *p)
{
	socklen_t	len = sizeof(int);
	int		soerr = 0;

	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		soerr = errno;
	if (soerr != 0) {
		phone_fail(p, "connect: %s", strerror(soerr));
		return;
	}
	if ((p->ssl = SSL_new(ctx)) == NULL) {
		phone_fail(p, "SSL_new failed");
		return;
	}
	/* The server's certificate names its IP; no SNI for an address. */
	if (SSL_set_fd(p->ssl, p->fd) != 1 ||
	    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(p->ssl),
	    server_host) != 1) {
		phone_fail(p, "TLS set-up failed");
		return;
	}
	SSL_set_connect_state(p->ssl);
	p->state = PS_HANDSHAKE;
	phone_step(p);
}

/*
 * The phone got its ACK for ip: its address, its socket in its namespace
 * bound to that address, the connect started.
 */
static void
phone_start(struct ps_phone *p, struct in_addr ip, long long now)
{
	struct sockaddr_in	local;
	char			err[sizeof(p->err)];
	int			fd, r;

	p->ip = ip;
	p->ack_us = now;
	p->deadline_us = now + conn_ms * 1000;
	p->state = PS_CONNECTING;
	p->active = 1;
	active++;
	if (addr_add(p->net, ip, err, sizeof(err)) == -1) {
		phone_fail(p, "%s", err);
		return;
	}
	if (setns(p->net->nsfd, CLONE_NEWNET) == -1)
		die("setns %s: %s", p->net->netns, strerror(errno));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	r = errno;
	if (setns(self_ns, CLONE_NEWNET) == -1)
		die("setns back: %s", strerror(errno));
	if (fd == -1) {
		phone_fail(p, "socket: %s", strerror(r));
		return;
	}
	p->fd = fd;
	memset(&local, 0, sizeof(local));
	local.sin_family = AF_INET;
	local.sin_addr = ip;
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) == -1) {
		phone_fail(p, "bind %s: %s", inet_ntoa(ip), strerror(errno));
		return;
	}
	if (connect(fd, (struct sockaddr *)&server, sizeof(server)) == 0) {
		phone_connected(p);
		return;
	}
	if (errno != EINPROGRESS) {
		phone_fail(p, "connect: %s", strerror(errno));
		return;
	}
	set_events(p, EPOLLOUT);
}

static void
phone_event(struct ps_phone *p)
{
	if (p->state == PS_CONNECTING)
		phone_connected(p);
	else
		phone_step(p);
}

/* One line of a net's DHCP command: "ack MAC IP", "nak MAC", others. */
static void
net_line(struct ps_net *nt, char *line, long long now)
{
	struct ps_phone	*p;
	struct in_addr	 ip;
	uint8_t		 mac[6];
	char		 w[8], m[32], a[32];
	int		 n;

	n = sscanf(line, "%7s %31s %31s", w, m, a);
	if (n < 2 || (strcmp(w, "ack") != 0 && strcmp(w, "nak") != 0))
		return;
	if (mac_parse6(m, mac) != 0 || (p = phone_find(mac)) == NULL ||
	    p->net != nt) {
		fprintf(stderr, "pbstorm: %s: not one of its phones: %s\n",
		    nt->name, m);
		return;
	}
	if (p->state != PS_WAITING)
		return;
	if (strcmp(w, "nak") == 0) {
		phone_fail(p, "DHCPNAK");
		return;
	}
	if (n != 3 || inet_pton(AF_INET, a, &ip) != 1) {
		phone_fail(p, "bad ack line: %.40s", line);
		return;
	}
	nt->acked++;
	phone_start(p, ip, now);
}

static void
net_read(struct ps_net *nt)
{
	long long	now = now_us();
	ssize_t		n;
	char		*nl;

	n = read(nt->out, nt->line + nt->line_len,
	    sizeof(nt->line) - 1 - nt->line_len);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		nt->end_us = now;
		close(nt->out);
		nt->out = -1;
		return;
	}
	nt->line_len += (size_t)n;
	nt->line[nt->line_len] = '\0';
	while ((nl = memchr(nt->line, '\n', nt->line_len)) != NULL) {
		*nl = '\0';
		net_line(nt, nt->line, now);
		nt->line_len -= (size_t)(nl + 1 - nt->line);
		memmove(nt->line, nl + 1, nt->line_len);
	}
	/* A line longer than the buffer is nothing this reads: drop it. */
	if (nt->line_len == sizeof(nt->line) - 1)
		nt->line_len = 0;
}

/* Starts the net's DHCP command in its namespace, stdout to a pipe. */
static void
net_spawn(struct ps_net *nt)
{
	struct epoll_event	ev;
	int			fds[2];

	if (pipe2(fds, O_CLOEXEC) == -1)
		die("pipe: %s", strerror(errno));
	fflush(NULL);
	if ((nt->pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (nt->pid == 0) {
		if (setns(nt->nsfd, CLONE_NEWNET) == -1 ||
		    dup2(fds[1], STDOUT_FILENO) == -1)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execvp(nt->argv[0], nt->argv);
		fprintf(stderr, "pbstorm: %s: %s\n", nt->argv[0],
		    strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	nt->out = fds[0];
	if (fcntl(nt->out, F_SETFL, O_NONBLOCK) == -1)
		die("fcntl: %s", strerror(errno));
	ev.events = EPOLLIN;
	ev.data.u64 = PS_EV_NET << 32 | (uint64_t)(nt - nets);
	if (epoll_ctl(ep, EPOLL_CTL_ADD, nt->out, &ev) == -1)
		die("epoll_ctl: %s", strerror(errno));
}

static void
tls_init(const char *ca)
{
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		die("SSL_CTX_new failed");
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
		die("%s: cannot load the CA", ca);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/*
	 * Every phone a full handshake: no session is kept, so none is
	 * offered. The server's TLS 1.3 tickets still come and are read and
	 * dropped, as a phone that cannot resume would.
	 */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
}

/* Room for a socket per phone, beside the few the process has. */
static void
fd_limit(void)
{
	struct rlimit	rl;
	rlim_t		want = (rlim_t)nphones + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= want)
		return;
	if (rl.rlim_max < want)
		rl.rlim_max = want;
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("cannot allow %llu open files: %s",
		    (unsigned long long)want, strerror(errno));
}

static void
ms_field(char *buf, size_t sz, long long us)
{
	if (us == 0)
		snprintf(buf, sz, "-");
	else
		snprintf(buf, sz, "%lld", (us - t0_us) / 1000);
}

/* Fails the phones whose connection outlived its time. */
static void
check_timeouts(long long now, int deadline_hit)
{
	for (size_t i = 0; i < nphones; i++) {
		struct ps_phone *p = &phones[i];

		if (p->state < PS_CONNECTING || p->state > PS_READING)
			continue;
		if (deadline_hit)
			phone_fail(p, "%s: still running at the deadline, "
			    "%lld ms after its ACK", ps_state_str(p->state),
			    (now - p->ack_us) / 1000);
		else if (now >= p->deadline_us)
			phone_fail(p, "%s: timed out, %lld ms after its ACK",
			    ps_state_str(p->state), (now - p->ack_us) / 1000);
	}
}

static void
report(void)
{
	struct rusage	self, kids;
	char		a[24], t[24], d[24], codes[64], ip[INET_ADDRSTRLEN];
	size_t		ok = 0;

	for (size_t i = 0; i < nphones; i++) {
		struct ps_phone	*p = &phones[i];
		size_t		 o = 0;

		if (p->state == PS_WAITING)
			snprintf(p->err, sizeof(p->err), "no ACK");
		ms_field(a, sizeof(a), p->ack_us);
		ms_field(t, sizeof(t), p->tls_us);
		ms_field(d, sizeof(d), p->done_us);
		codes[0] = '\0';
		for (int k = 0; k < p->nfiles && p->codes[k] != 0; k++)
			o += (size_t)snprintf(codes + o, sizeof(codes) - o,
			    "%03d,", p->codes[k]);
		if (o == 0)
			snprintf(codes, sizeof(codes), "000,");
		if (p->ip.s_addr != 0)
			inet_ntop(AF_INET, &p->ip, ip, sizeof(ip));
		else
			snprintf(ip, sizeof(ip), "-");
		printf("phone %s %s %s %s %s %s %s %s%s\n", p->mac_str,
		    p->net->name, ip, a, t, d, codes,
		    p->state == PS_DONE ? "ok" : "error: ", p->state ==
		    PS_DONE ? "" : p->err);
		if (p->state == PS_DONE)
			ok++;
	}
	for (size_t i = 0; i < nnets; i++) {
		struct ps_net	*nt = &nets[i];
		int		 st = nt->status;

		ms_field(d, sizeof(d), nt->end_us);
		printf("dhcp %s %s %d %d\n", nt->name, d, WIFEXITED(st) ?
		    WEXITSTATUS(st) : 128 + WTERMSIG(st), nt->acked);
	}
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	printf("cpu %lld %lld\n",
	    ((long long)self.ru_utime.tv_sec + self.ru_stime.tv_sec) * 1000 +
	    (self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1000,
	    ((long long)kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) * 1000 +
	    (kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1000);
	fprintf(stderr, "pbstorm: %zu of %zu phones provisioned\n", ok,
	    nphones);
	fflush(stdout);
}

int
main(int argc, char *argv[])
{
	struct epoll_event	 evs[256];
	const char		*ca = NULL;
	long long		 deadline_ms = 120000, now;
	long long		 next_tick;
	size_t			 running;
	int			 ch, n, deadline_hit = 0;
	char			*end;

	while ((ch = getopt(argc, argv, "c:o:t:")) != -1) {
		switch (ch) {
		case 'c':
			ca = optarg;
			break;
		case 'o':
			conn_ms = strtoll(optarg, &end, 10);
			if (*end != '\0' || conn_ms <= 0)
				usage();
			break;
		case 't':
			deadline_ms = strtoll(optarg, &end, 10);
			if (*end != '\0' || deadline_ms <= 0)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (ca == NULL || argc != 1)
		usage();
	signal(SIGPIPE, SIG_IGN);
	spec_read(argv[0]);
	if (nnets == 0)
		die("%s: no net", argv[0]);
	fd_limit();
	tls_init(ca);
	nets_open();
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1: %s", strerror(errno));

	/* Time 0: every DHCP command at once. */
	t0_us = now_us();
	for (size_t i = 0; i < nnets; i++)
		net_spawn(&nets[i]);
	next_tick = t0_us + PS_TICK_MS * 1000;
	for (;;) {
		running = 0;
		for (size_t i = 0; i < nnets; i++)
			if (nets[i].out != -1)
				running++;
		if (running == 0 && active == 0)
			break;
		n = epoll_wait(ep, evs, (int)(sizeof(evs) / sizeof(evs[0])),
		    PS_TICK_MS);
		if (n == -1 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			uint64_t	 u = evs[i].data.u64;
			size_t		 k = (size_t)(u & 0xffffffffU);

			if (u >> 32 == PS_EV_NET)
				net_read(&nets[k]);
			else if (phones[k].fd != -1)
				phone_event(&phones[k]);
		}
		/*
		 * The timeouts are checked every tick, not per event: the
		 * times reported are taken where things happen, so this
		 * only bounds how late a timeout is noticed.
		 */
		if ((now = now_us()) < next_tick)
			continue;
		next_tick = now + PS_TICK_MS * 1000;
		if (now - t0_us >= deadline_ms * 1000) {
			deadline_hit = 1;
			break;
		}
		check_timeouts(now, 0);
	}
	if (deadline_hit) {
		fprintf(stderr, "pbstorm: deadline of %lld ms reached\n",
		    deadline_ms);
		check_timeouts(now_us(), 1);
		for (size_t i = 0; i < nnets; i++)
			if (nets[i].out != -1) {
				kill(nets[i].pid, SIGTERM);
				close(nets[i].out);
				nets[i].out = -1;
			}
	}
	for (size_t i = 0; i < nnets; i++)
		if (waitpid(nets[i].pid, &nets[i].status, 0) == -1)
			nets[i].status = 127 << 8;
	report();
	for (size_t i = 0; i < nphones; i++)
		if (phones[i].state != PS_DONE)
			return 1;
	return 0;
}
