/*
 * check_ctlsock.c - the control socket (common/ctlsock.h): the request
 * parser on good, malformed, oversized, duplicate-key, wrongly typed and
 * deeply nested requests; the answers' shape; and the socket itself in a
 * scratch run_dir (no root): its mode, a stale file replaced, a live one
 * not, a daemon command, an unsupported one, an oversized request, and
 * an answer after the request ends by EOF without a newline. And the
 * entry point behind lease-release and lease-delete (leasedb_admin()):
 * the registry and the address index change at once, so the address is
 * found free (deleted) or over (released) by the very next search.
 */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "testutil.h"

#include "cfg.h"
#include "ctlsock.h"
#include "leasedb.h"
#include "log.h"
#include "registry.h"
#include "server.h"

static int
parse(const char *s, struct ctl_request *req, char *err, size_t errsz)
{
	return ctl_request_parse(s, strlen(s), req, err, errsz);
}

/* s is refused with an error that contains want. */
static void
assert_refused(const char *s, size_t len, const char *want)
{
	struct ctl_request	 req;
	char			 err[512];

	ck_assert_int_eq(ctl_request_parse(s, len, &req, err, sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, want) != NULL, "\"%s\" for %.60s: want "
	    "\"%s\"", err, s, want);
	ck_assert_ptr_null(req.args);
}

START_TEST(test_parse_good)
{
	struct ctl_request	 req;
	char			 err[256];

	ck_assert_int_eq(parse("{\"command\": \"lease-get\", \"arguments\": "
	    "{\"ip\": \"10.0.0.9\"}}\n", &req, err, sizeof(err)), 0);
	ck_assert_str_eq(req.command, "lease-get");
	ck_assert_str_eq(json_string_value(json_object_get(req.args, "ip")),
	    "10.0.0.9");
	ctl_request_clear(&req);
	ck_assert_ptr_null(req.args);
	/* No arguments: an empty object; no newline: fine (EOF ends it). */
	ck_assert_int_eq(parse(" {\"command\":\"status\"} ", &req, err,
	    sizeof(err)), 0);
	ck_assert(json_is_object(req.args));
	ck_assert_int_eq(json_object_size(req.args), 0);
	ctl_request_clear(&req);
	/* Nesting up to the limit is fine. */
	ck_assert_int_eq(parse("{\"command\": \"x1\", \"arguments\": {\"a\": "
	    "[[[[[[1]]]]]]}}", &req, err, sizeof(err)), 0);
	ctl_request_clear(&req);
	/* Brackets inside strings are not nesting. */
	ck_assert_int_eq(parse("{\"command\": \"x\", \"arguments\": {\"a\": "
	    "\"[[[[[[[[[[[[[[[[\\\"[[[[\"}}", &req, err, sizeof(err)), 0);
	ctl_request_clear(&req);
}
END_TEST

START_TEST(test_parse_malformed)
{
#define R(s, want) assert_refused((s), sizeof(s) - 1, (want))
	R("", "empty request");
	R("\n", "empty request");
	R("  \t", "empty request");
	R("hello", "not JSON");
	R("{\"command\": \"status\"", "not JSON");
	R("{\"command\": \"status\"} x", "not JSON");
	R("\"status\"", "not JSON");
	R("[\"status\"]", "a request is a JSON object");
	R("{\"command\": \"a\"}\n{\"command\": \"b\"}", "one request");
	R("{\"command\": \"st\\u0000x\"}", "not JSON");
	R("{\"command\": \"\xff\"}", "not JSON");
	R("{\"arguments\": {}}", "no \"command\"");
	R("{\"command\": null}", "must be a string");
	R("{\"command\": 1}", "must be a string");
	R("{\"command\": [\"status\"]}", "must be a string");
	R("{\"command\": \"\"}", "1 to 64");
	R("{\"command\": \"Status\"}", "1 to 64");
	R("{\"command\": \"-status\"}", "1 to 64");
	R("{\"command\": \"9lives\"}", "1 to 64");
	R("{\"command\": \"sta tus\"}", "1 to 64");
	R("{\"command\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaa\"}", "1 to 64");
	R("{\"command\": \"status\", \"arguments\": []}", "must be an object");
	R("{\"command\": \"status\", \"arguments\": \"x\"}",
	    "must be an object");
	R("{\"command\": \"status\", \"arguments\": null}",
	    "must be an object");
	R("{\"command\": \"status\", \"service\": [\"dhcp4\"]}",
	    "unknown key \"service\"");
	/* Duplicates, at the top and inside the arguments. */
	R("{\"command\": \"status\", \"command\": \"status\"}", "duplicate");
	R("{\"command\": \"s\", \"arguments\": {\"ip\": 1, \"ip\": 2}}",
	    "duplicate");
#undef R
}
END_TEST

START_TEST(test_parse_deep)
{
	static const char nine[] = "{\"command\": \"x\", \"arguments\": "
			    "{\"a\": [[[[[[[1]]]]]]]}}";
	char	*s;
	size_t	 n = 100000;

	assert_refused(nine, sizeof(nine) - 1, "nested deeper than 8");
	/* 100000 brackets never reach jansson's recursion. */
	ck_assert_ptr_nonnull(s = malloc(n));
	memset(s, '[', n);
	assert_refused(s, CTL_REQUEST_MAX, "nested deeper");
	free(s);
}
END_TEST

START_TEST(test_parse_oversized)
{
	char	*s;
	size_t	 n = CTL_REQUEST_MAX + 1;

	ck_assert_ptr_nonnull(s = malloc(n));
	memset(s, ' ', n);
	memcpy(s, "{\"command\":\"status\"}", 20);
	assert_refused(s, n, "too large");
	/* At the limit (newline included) it parses. */
	s[CTL_REQUEST_MAX - 1] = '\n';
	{
		struct ctl_request	 req;
		char			 err[256];

		ck_assert_int_eq(ctl_request_parse(s, CTL_REQUEST_MAX, &req,
		    err, sizeof(err)), 0);
		ctl_request_clear(&req);
	}
	free(s);
}
END_TEST

START_TEST(test_answer_shape)
{
	json_t		*args = json_object(), *back;
	json_error_t	 jerr;
	size_t		 len;
	char		*s;

	json_object_set_new(args, "n", json_integer(7));
	ck_assert_ptr_nonnull(s = ctl_answer_format(CTL_OK, "done", args,
	    &len));
	ck_assert_uint_eq(len, strlen(s));
	ck_assert_int_eq(s[len - 1], '\n');
	ck_assert_ptr_null(memchr(s, '\n', len - 1));
	ck_assert_ptr_nonnull(back = json_loads(s, 0, &jerr));
	ck_assert_int_eq(json_object_size(back), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(back, "result")),
	    0);
	ck_assert_str_eq(json_string_value(json_object_get(back, "text")),
	    "done");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    back, "arguments"), "n")), 7);
	json_decref(back);
	free(s);
	/* No arguments: no key; text not UTF-8: escaped, still JSON. */
	ck_assert_ptr_nonnull(s = ctl_answer_format(CTL_ERROR, "bad \xff\xfe",
	    NULL, &len));
	ck_assert_ptr_nonnull(back = json_loads(s, 0, &jerr));
	ck_assert_ptr_null(json_object_get(back, "arguments"));
	ck_assert_str_eq(json_string_value(json_object_get(back, "text")),
	    "bad \\xff\\xfe");
	json_decref(back);
	free(s);
	json_decref(args);
}
END_TEST

/* ------------------------------------------------------------ the socket */

static int
cmd_echo(json_t *args, json_t *ans, char *text, size_t textsz)
{
	json_object_set(ans, "echo", args);
	snprintf(text, textsz, "echoed");
	return CTL_OK;
}

static int
cmd_nothing(json_t *args, json_t *ans, char *text, size_t textsz)
{
	(void)args;
	(void)ans;
	(void)text;
	(void)textsz;
	return CTL_EMPTY;
}

static const struct ctl_command test_cmds[] = {
	{ "echo", "answers its arguments", cmd_echo },
	{ "nothing", "finds nothing", cmd_nothing },
};

static char		*dir;
static struct cfg	 cfg;
static struct event_base *base;
static char		 path[108];

static void
sock_setup(void)
{
	dir = tu_mkdtemp();
	memset(&cfg, 0, sizeof(cfg));
	cfg.run_dir = dir;
	ck_assert_ptr_nonnull(base = event_base_new());
	ck_assert_int_eq(ctlsock_path(dir, "pb-test", path, sizeof(path)), 0);
}

static void
sock_teardown(void)
{
	event_base_free(base);
	tu_rmtree(dir);
}

/*
 * Sends len bytes of req (then EOF unless keep_open), turns the loop
 * until the daemon closes, returns the parsed answer (caller drops it).
 */
static json_t *
roundtrip(const char *req, size_t len, int keep_open)
{
	struct sockaddr_un	 sa;
	json_error_t		 jerr;
	char			*buf;
	size_t			 n = 0, cap = 1 << 20, off = 0;
	time_t			 end = time(NULL) + 5;
	json_t			*ans;
	int			 fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK,
	    0), 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_ptr_nonnull(buf = malloc(cap));
	for (;;) {
		ssize_t r;

		if (off < len) {
			r = send(fd, req + off, len - off, MSG_NOSIGNAL);
			if (r > 0)
				off += (size_t)r;
			if (off == len && !keep_open)
				shutdown(fd, SHUT_WR);
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
		r = recv(fd, buf + n, cap - n - 1, 0);
		if (r == 0)
			break;
		if (r > 0)
			n += (size_t)r;
		else if (errno == ECONNRESET || errno == EPIPE)
			break;
		ck_assert_msg(time(NULL) < end, "no answer within 5 s");
		if (r < 0)
			usleep(1000);
	}
	close(fd);
	ans = json_loadb(buf, n, 0, &jerr);
	ck_assert_msg(ans != NULL, "not JSON: %.*s", (int)n, buf);
	free(buf);
	return ans;
}

static int
result_of(json_t *ans)
{
	return (int)json_integer_value(json_object_get(ans, "result"));
}

START_TEST(test_socket_commands)
{
	struct ctlsock	*cs;
	struct stat	 sb;
	char		 err[256];
	json_t		*a;
	const char	*q;

	ck_assert_ptr_nonnull(cs = ctlsock_start(base, &cfg, "pb-test",
	    test_cmds, 2, err, sizeof(err)));
	ck_assert_int_eq(lstat(path, &sb), 0);
	ck_assert(S_ISSOCK(sb.st_mode));
	ck_assert_int_eq(sb.st_mode & 0777, 0660);

	q = "{\"command\": \"echo\", \"arguments\": {\"k\": [1, \"v\"]}}\n";
	a = roundtrip(q, strlen(q), 1);
	ck_assert_int_eq(result_of(a), CTL_OK);
	ck_assert_str_eq(json_string_value(json_object_get(a, "text")),
	    "echoed");
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(
	    json_object_get(json_object_get(a, "arguments"), "echo"), "k"),
	    0)), 1);
	json_decref(a);

	q = "{\"command\": \"nothing\"}";		/* ended by EOF */
	a = roundtrip(q, strlen(q), 0);
	ck_assert_int_eq(result_of(a), CTL_EMPTY);
	json_decref(a);

	q = "{\"command\": \"no-such\"}\n";
	a = roundtrip(q, strlen(q), 1);
	ck_assert_int_eq(result_of(a), CTL_UNSUPPORTED);
	json_decref(a);

	q = "{\"command\": \"list-commands\"}\n";
	a = roundtrip(q, strlen(q), 1);
	ck_assert_int_eq(result_of(a), CTL_OK);
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(a,
	    "arguments"), "commands")), 6 + 2);
	json_decref(a);

	q = "{\"command\": \"version-get\"}\n";
	a = roundtrip(q, strlen(q), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(a,
	    "arguments"), "version")), PB_VERSION);
	json_decref(a);

	q = "{\"command\": \"echo\", \"command\": \"echo\"}\n";
	a = roundtrip(q, strlen(q), 1);
	ck_assert_int_eq(result_of(a), CTL_ERROR);
	json_decref(a);
	ck_assert_uint_eq(ctlsock_stats(cs)->malformed, 1);
	ck_assert_uint_eq(ctlsock_stats(cs)->requests, 5);
	ctlsock_free(cs);
	/* The file goes with the socket. */
	ck_assert_int_eq(lstat(path, &sb), -1);
}
END_TEST

START_TEST(test_socket_oversized)
{
	struct ctlsock	*cs;
	char		 err[256], *big;
	size_t		 n = 3 * CTL_REQUEST_MAX;
	json_t		*a;

	ck_assert_ptr_nonnull(cs = ctlsock_start(base, &cfg, "pb-test",
	    test_cmds, 2, err, sizeof(err)));
	ck_assert_ptr_nonnull(big = malloc(n));
	memset(big, 'a', n);
	a = roundtrip(big, n, 0);
	ck_assert_int_eq(result_of(a), CTL_ERROR);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(a,
	    "text")), "too large"));
	json_decref(a);
	free(big);
	ck_assert_uint_eq(ctlsock_stats(cs)->oversized, 1);
	ctlsock_free(cs);
}
END_TEST

START_TEST(test_socket_stale)
{
	struct ctlsock		*cs, *cs2;
	struct sockaddr_un	 sa;
	char			 err[256];
	int			 fd;

	/* A socket file nobody listens on: replaced. */
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	ck_assert_ptr_nonnull(cs = ctlsock_start(base, &cfg, "pb-test",
	    test_cmds, 2, err, sizeof(err)));
	/* One that answers: not taken over. */
	ck_assert_ptr_null(cs2 = ctlsock_start(base, &cfg, "pb-test",
	    test_cmds, 2, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "answers on"));
	ctlsock_free(cs);
	/* A file that is not a socket: left alone, said. */
	fclose(fopen(path, "w"));
	ck_assert_ptr_null(cs2 = ctlsock_start(base, &cfg, "pb-test",
	    test_cmds, 2, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not a socket"));
	ctlsock_free(NULL);
}
END_TEST

/* ------------------------------------------------------- lease commands */

static const char ldb_cfg[] =
    "registry = { path = \"reg\"; sync = false; };\n"
    "dhcp = {\n"
    "  authoritative = true;\n"
    "  subnets = (\n"
    "    { subnet = \"10.42.0.0/24\";\n"
    "      pools = ( { start = \"10.42.0.100\"; end = \"10.42.0.100\"; } );\n"
    "      routers = [ \"10.42.0.1\" ]; }\n"
    "  );\n"
    "};\n"
    "provisioning = {\n"
    "  base_url = \"https://10.42.0.1\";\n"
    "  tls = { cert = \"server.crt\"; key = \"server.key\"; };\n"
    "};\n"
    "vendors = ( { name = \"other\"; default = true; } );\n"
    "users = ( );\n";

#define POOL_IP	0x0a2a0064u	/* 10.42.0.100, the pool's one address */

/* A bound lease of the pool's address, stored and committed. */
static void
store_bound(struct leasedb *ldb, time_t now)
{
	struct reg_lease l;

	memset(&l, 0, sizeof(l));
	l.ip = POOL_IP;
	l.state = LEASE_BOUND;
	l.htype = 1;
	l.hlen = 6;
	memcpy(l.chaddr, "\x02\x00\x00\x00\x00\x0a", 6);
	l.client_key_len = 8;
	memcpy(l.client_key, "H\x01\x02\x00\x00\x00\x00\x0a", 8);
	l.start = now;
	l.expire = now + 3600;
	ck_assert_int_eq(leasedb_begin(ldb), 0);
	ck_assert_int_eq(leasedb_store(ldb, &l), 0);
	ck_assert_int_eq(leasedb_commit(ldb), 0);
}

/* What the server's next search finds: free, over, or nothing. */
static void
search(struct leasedb *ldb, const struct cfg *c, time_t now, int *free_r,
    int *expired_r)
{
	struct lease_view	 v;
	const struct cfg_subnet	*sn = &c->dhcp.subnets[0];
	uint32_t		 ip;

	ck_assert_int_eq(leasedb_begin(ldb), 0);
	leasedb_view(ldb, &v);
	*free_r = v.find_free(v.arg, sn, &sn->pools[0], &ip);
	*expired_r = v.find_expired(v.arg, sn, &sn->pools[0], now, &ip);
	if (*free_r == 0 || *expired_r == 0)
		ck_assert_uint_eq(ip, POOL_IP);
	leasedb_abort(ldb);
}

START_TEST(test_leasedb_admin)
{
	struct cfg_errors	 errs;
	struct cfg		*c = NULL;
	struct reg		*reg = NULL;
	struct leasedb		*ldb;
	struct reg_lease	 was;
	struct reg_txn		 txn;
	struct reg_lease	 l;
	char			*file, err[512];
	unsigned long		 held, total;
	time_t			 now = time(NULL);
	int			 fr, ex;

	dir = tu_mkdtemp();
	file = tu_write(dir, "provbox.conf", ldb_cfg);
	ck_assert_int_eq(cfg_load(file, CFG_NO_FILE_CHECKS, &c, &errs), 0);
	free(file);
	ck_assert(asprintf(&file, "%s/reg", dir) > 0);
	ck_assert_int_eq(reg_open(file, 16 << 20, REG_NOSYNC, &reg, err,
	    sizeof(err)), 0);
	free(file);
	ck_assert_ptr_nonnull(ldb = leasedb_new(reg, c, err, sizeof(err)));

	/* No record: nothing to do. */
	ck_assert_int_eq(leasedb_admin(ldb, POOL_IP, 1, now, &was, err,
	    sizeof(err)), REG_NOTFOUND);

	/* Bound: the pool is full, nothing is over. */
	store_bound(ldb, now);
	leasedb_usage(ldb, &held, &total);
	ck_assert_uint_eq(held, 1);
	search(ldb, c, now, &fr, &ex);
	ck_assert_int_eq(fr, REG_NOTFOUND);
	ck_assert_int_eq(ex, REG_NOTFOUND);

	/* Released: the record stays, over now, found at once. */
	ck_assert_int_eq(leasedb_admin(ldb, POOL_IP, 1, now, &was, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(was.state, LEASE_BOUND);
	ck_assert_int_eq(was.expire, now + 3600);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	ck_assert_int_eq(reg_lease_get(&txn, POOL_IP, &l), 0);
	reg_txn_abort(&txn);
	ck_assert_int_eq(l.state, LEASE_RELEASED);
	ck_assert_int_eq(l.expire, now);
	ck_assert_uint_eq(l.client_key_len, 8);
	search(ldb, c, now, &fr, &ex);
	ck_assert_int_eq(ex, 0);

	/* Deleted: no record, the address free in the index at once. */
	ck_assert_int_eq(leasedb_admin(ldb, POOL_IP, 0, now, &was, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(was.state, LEASE_RELEASED);
	leasedb_usage(ldb, &held, &total);
	ck_assert_uint_eq(held, 0);
	search(ldb, c, now, &fr, &ex);
	ck_assert_int_eq(fr, 0);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	ck_assert_int_eq(reg_lease_get(&txn, POOL_IP, &l), REG_NOTFOUND);
	reg_txn_abort(&txn);

	/* Not while a batch is open: said, nothing changed. */
	store_bound(ldb, now);
	ck_assert_int_eq(leasedb_begin(ldb), 0);
	ck_assert_int_eq(leasedb_admin(ldb, POOL_IP, 0, now, &was, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "batch"));
	leasedb_abort(ldb);
	leasedb_usage(ldb, &held, &total);
	ck_assert_uint_eq(held, 1);

	leasedb_free(ldb);
	reg_close(reg);
	cfg_free(c);
	tu_rmtree(dir);
}
END_TEST

static Suite *
ctlsock_suite(void)
{
	Suite	*s = suite_create("ctlsock");
	TCase	*tc = tcase_create("parser");
	TCase	*ts = tcase_create("socket");
	TCase	*tl;

	tcase_add_test(tc, test_parse_good);
	tcase_add_test(tc, test_parse_malformed);
	tcase_add_test(tc, test_parse_deep);
	tcase_add_test(tc, test_parse_oversized);
	tcase_add_test(tc, test_answer_shape);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(ts, sock_setup, sock_teardown);
	tcase_add_test(ts, test_socket_commands);
	tcase_add_test(ts, test_socket_oversized);
	tcase_add_test(ts, test_socket_stale);
	suite_add_tcase(s, ts);
	tl = tcase_create("lease commands");
	tcase_add_test(tl, test_leasedb_admin);
	suite_add_tcase(s, tl);
	return s;
}

int
main(void)
{
	log_init("check_ctlsock", 1, PB_LOG_ERR);
	return tu_run(ctlsock_suite());
}
