/*
 * pbslow - a slow HTTPS client for tests (slowloris): N connections to
 * HOST:PORT, each sending one byte every INTERVAL, each reopened when the
 * server closes it, for SECONDS.
 *
 *   pbslow [-m hello|header] [-n conns] [-i interval-ms] [-r opens/s]
 *          [-t seconds] [-b source-ip] HOST PORT
 *
 * -m hello (the default): the raw bytes of a TLS ClientHello (made by
 * OpenSSL in memory), so the handshake never completes.
 * -m header: a complete TLS handshake (OpenSSL, non-blocking), then an
 * HTTP request header that never ends, one byte (one TLS record) at a time.
 *
 * Connections open at most RATE per second (default 200), the first byte
 * goes out at once. At the end (or on SIGTERM) it prints key=value lines:
 *   opened, connected, handshakes (header mode), closed_by_server, failed
 *   (connects refused or reset), answers (bytes of HTTP the server sent),
 *   open (at the end), max_open, bytes (sent), life_max_ms and
 *   life_median_ms (connect to the server's close, of those it closed).
 * Exit status 0, or 2 for usage errors.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tools.h"

#define MAX_CONNS	20000
#define MAX_LIVES	200000

enum mode { MODE_HELLO, MODE_HEADER };
enum slot_state { S_FREE = 0, S_CONNECTING, S_HANDSHAKE, S_TRICKLE };

struct slot {
	enum slot_state	 state;
	int		 fd;
	SSL		*ssl;
	int		 want_write;	/* the handshake waits to write */
	long long	 connected_ms;
	long long	 next_ms;	/* next byte */
	size_t		 sent;
};

static const char	 header[] = "GET / HTTP/1.1\r\nHost: pbslow\r\n"
			    "User-Agent: pbslow\r\nX-Slow: ";
static volatile sig_atomic_t stop;
static enum mode	 mode = MODE_HELLO;
static unsigned char	 hello[4096];
static size_t		 hello_len;
static SSL_CTX		*ctx;
static struct sockaddr_in dst, src;
static int		 have_src;
static long long	 interval_ms = 10000;
static unsigned long	 opened, connected, handshakes, closed, failed;
static unsigned long	 answers, bytes, nopen, max_open;
static unsigned		*lives;
static size_t		 nlives;

static void
usage(void)
{
	fprintf(stderr, "usage: pbslow [-m hello|header] [-n conns] "
	    "[-i interval-ms] [-r opens/s] [-t seconds] [-b source-ip] "
	    "HOST PORT\n");
	exit(2);
}


static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The bytes a TLS client sends first, made by OpenSSL in memory. */
static int
make_hello(void)
{
	SSL	*s;
	BIO	*rb, *wb;
	int	 n;

	if ((s = SSL_new(ctx)) == NULL)
		return -1;
	rb = BIO_new(BIO_s_mem());
	wb = BIO_new(BIO_s_mem());
	SSL_set_bio(s, rb, wb);
	SSL_set_connect_state(s);
	SSL_set_tlsext_host_name(s, "pbslow");
	(void)SSL_do_handshake(s);
	n = BIO_read(wb, hello, sizeof(hello));
	SSL_free(s);
	if (n <= 0)
		return -1;
	hello_len = (size_t)n;
	return 0;
}

static void
slot_free(struct slot *s, int by_server, long long now)
{
	if (by_server) {
		closed++;
		if (lives != NULL && nlives < MAX_LIVES)
			lives[nlives++] = (unsigned)(now - s->connected_ms);
	}
	if (s->ssl != NULL)
		SSL_free(s->ssl);
	if (s->fd >= 0)
		close(s->fd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	nopen--;
}

static void
slot_open(struct slot *s)
{
	int one = 1;

	opened++;
	memset(s, 0, sizeof(*s));
	if ((s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0) {
		failed++;
		s->fd = -1;
		return;
	}
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (have_src && bind(s->fd, (struct sockaddr *)&src,
	    sizeof(src)) != 0) {
		failed++;
		close(s->fd);
		s->fd = -1;
		return;
	}
	if (connect(s->fd, (struct sockaddr *)&dst, sizeof(dst)) != 0 &&
	    errno != EINPROGRESS) {
		failed++;
		close(s->fd);
		s->fd = -1;
		return;
	}
	s->state = S_CONNECTING;
	if (++nopen > max_open)
		max_open = nopen;
}

/* One step of the handshake: 0 going on, 1 done, -1 failed. */
static int
handshake_step(struct slot *s)
{
	int r = SSL_do_handshake(s->ssl);

	if (r == 1)
		return 1;
	switch (SSL_get_error(s->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		s->want_write = 0;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		s->want_write = 1;
		return 0;
	default:
		ERR_clear_error();
		return -1;
	}
}

/* The connection is up: start the trickle (or the handshake first). */
static void
slot_connected(struct slot *s, long long now)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
	    err != 0) {
		failed++;
		slot_free(s, 0, now);
		return;
	}
	connected++;
	s->connected_ms = now;
	s->next_ms = now;
	if (mode == MODE_HELLO) {
		s->state = S_TRICKLE;
		return;
	}
	if ((s->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(s->ssl, s->fd) !=
	    1) {
		failed++;
		slot_free(s, 0, now);
		return;
	}
	SSL_set_connect_state(s->ssl);
	s->state = S_HANDSHAKE;
	switch (handshake_step(s)) {
	case 1:
		handshakes++;
		s->state = S_TRICKLE;
		break;
	case -1:
		slot_free(s, 1, now);
		break;
	}
}

/* Reads what the server sent; 1 when it has closed the connection. */
static int
slot_read(struct slot *s)
{
	char	buf[4096];
	ssize_t	n;
	int	r;

	if (s->ssl == NULL) {
		n = read(s->fd, buf, sizeof(buf));
		if (n > 0)
			return 0;
		return n == 0 || (errno != EAGAIN && errno != EINTR);
	}
	for (;;) {
		r = SSL_read(s->ssl, buf, sizeof(buf));
		if (r > 0) {
			if (r >= 5 && memcmp(buf, "HTTP/", 5) == 0)
				answers++;
			continue;
		}
		switch (SSL_get_error(s->ssl, r)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			return 0;
		default:
			ERR_clear_error();
			return 1;
		}
	}
}

/* The next byte, if it is due; 1 when the server has closed. */
static int
slot_send(struct slot *s, long long now)
{
	unsigned char	c;
	int		r;

	if (now < s->next_ms)
		return 0;
	s->next_ms = now + interval_ms;
	if (mode == MODE_HELLO) {
		if (s->sent >= hello_len)
			return 0;
		c = hello[s->sent];
		if (write(s->fd, &c, 1) != 1)
			return errno != EAGAIN && errno != EINTR;
	} else {
		c = s->sent < sizeof(header) - 1 ?
		    (unsigned char)header[s->sent] : 'a';
		if ((r = SSL_write(s->ssl, &c, 1)) != 1) {
			r = SSL_get_error(s->ssl, r);
			ERR_clear_error();
			return r != SSL_ERROR_WANT_READ &&
			    r != SSL_ERROR_WANT_WRITE;
		}
	}
	s->sent++;
	bytes++;
	return 0;
}

static int
cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	struct slot	*slots;
	struct pollfd	*pfd;
	size_t		*idx;
	struct rlimit	 rl;
	long long	 start, end, next_open, now;
	unsigned long	 n = 1000, rate = 200, seconds = 30;
	int		 ch;

	while ((ch = getopt(argc, argv, "b:i:m:n:r:t:")) != -1) {
		switch (ch) {
		case 'b':
			if (inet_pton(AF_INET, optarg, &src.sin_addr) != 1)
				usage();
			src.sin_family = AF_INET;
			have_src = 1;
			break;
		case 'i':
			interval_ms = strtoll(optarg, NULL, 10);
			break;
		case 'm':
			if (strcmp(optarg, "hello") == 0)
				mode = MODE_HELLO;
			else if (strcmp(optarg, "header") == 0)
				mode = MODE_HEADER;
			else
				usage();
			break;
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			rate = strtoul(optarg, NULL, 10);
			break;
		case 't':
			seconds = strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || n == 0 || n > MAX_CONNS || rate == 0 ||
	    interval_ms <= 0)
		usage();
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)strtoul(argv[optind + 1], NULL, 10));
	if (inet_pton(AF_INET, argv[optind], &dst.sin_addr) != 1)
		usage();

	/* One descriptor per connection, and some to spare. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < n + 64) {
		rl.rlim_cur = rl.rlim_max < n + 64 ? rl.rlim_max : n + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    make_hello() != 0) {
		fprintf(stderr, "pbslow: cannot make a ClientHello\n");
		return 1;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	slots = calloc(n, sizeof(*slots));
	pfd = calloc(n, sizeof(*pfd));
	idx = calloc(n, sizeof(*idx));
	lives = calloc(MAX_LIVES, sizeof(*lives));
	if (slots == NULL || pfd == NULL || idx == NULL || lives == NULL) {
		fprintf(stderr, "pbslow: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		slots[i].fd = -1;

	start = next_open = tool_now_ms();
	end = start + (long long)seconds * 1000;
	while (!stop && (now = tool_now_ms()) < end) {
		nfds_t	 np = 0;
		int	 wait = 50;

		/* Open free slots at the rate. */
		for (size_t i = 0; i < n && next_open <= now; i++) {
			if (slots[i].state != S_FREE)
				continue;
			slot_open(&slots[i]);
			next_open += (long long)(1000 / rate) > 0 ?
			    (long long)(1000 / rate) : 1;
		}
		if (next_open < now - 1000)
			next_open = now - 1000;	/* no burst after a stall */
		for (size_t i = 0; i < n; i++) {
			struct slot *s = &slots[i];

			if (s->state == S_FREE || s->fd < 0)
				continue;
			pfd[np].fd = s->fd;
			pfd[np].events = POLLIN;
			if (s->state == S_CONNECTING ||
			    (s->state == S_HANDSHAKE && s->want_write))
				pfd[np].events = POLLOUT;
			pfd[np].revents = 0;
			idx[np++] = i;
			if (s->state == S_TRICKLE && s->next_ms - now < wait)
				wait = s->next_ms > now ? (int)(s->next_ms -
				    now) : 0;
		}
		if (poll(pfd, np, wait) < 0 && errno != EINTR)
			break;
		now = tool_now_ms();
		for (nfds_t k = 0; k < np; k++) {
			struct slot	*s = &slots[idx[k]];
			short		 ev = pfd[k].revents;

			if (s->state == S_CONNECTING) {
				if (ev & (POLLOUT | POLLERR | POLLHUP))
					slot_connected(s, now);
				continue;
			}
			if (s->state == S_HANDSHAKE) {
				if (ev == 0)
					continue;
				switch (handshake_step(s)) {
				case 1:
					handshakes++;
					s->state = S_TRICKLE;
					break;
				case -1:
					slot_free(s, 1, now);
					break;
				}
				continue;
			}
			if ((ev & (POLLIN | POLLERR | POLLHUP)) &&
			    slot_read(s)) {
				slot_free(s, 1, now);
				continue;
			}
			if (slot_send(s, now))
				slot_free(s, 1, now);
		}
	}

	qsort(lives, nlives, sizeof(*lives), cmp_uint);
	printf("opened=%lu\nconnected=%lu\nhandshakes=%lu\n"
	    "closed_by_server=%lu\nfailed=%lu\nanswers=%lu\nopen=%lu\n"
	    "max_open=%lu\nbytes=%lu\nlife_max_ms=%u\nlife_median_ms=%u\n",
	    opened, connected, handshakes, closed, failed, answers, nopen,
	    max_open, bytes, nlives > 0 ? lives[nlives - 1] : 0,
	    nlives > 0 ? lives[nlives / 2] : 0);
	for (size_t i = 0; i < n; i++)
		if (slots[i].state != S_FREE)
			slot_free(&slots[i], 0, tool_now_ms());
	free(lives);
	free(idx);
	free(pfd);
	free(slots);
	SSL_CTX_free(ctx);
	return 0;
}
