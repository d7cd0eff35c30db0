/*
 * lease.c - provboxctl's lease commands, for the admin of a pool that an
 * attacker or a broken client filled:
 *
 *   lease release IP   the record becomes released, ending now: its client
 *                      gets the address back if it asks again, any other
 *                      client may have it from now on (a declined address
 *                      leaves its quarantine at once)
 *   lease delete IP    the record goes: the address is as if never leased
 *
 * When provbox-dhcpd runs, both go through its control socket
 * (lease-release, lease-delete), so its index of held addresses learns
 * of it at once. When it does not, they work on the registry itself, in
 * one write transaction; nothing is said to have happened before it
 * commits. The output is the same either way, with "via" saying which.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "ctl.h"
#include "ctlsock.h"
#include "enroll.h"

/* What a lease record was, for the message and the JSON object. */
struct lease_was {
	char		 state[16];
	char		 mac[MAC_STR_LEN];	/* "": chaddr not Ethernet */
	char		 id[64];	/* "id 01:..." for Option 61, or "" */
	char		 when[64];	/* "2026-12-07 14:03:11, in 59m" */
	long long	 ends;		/* seconds since the epoch */
};

static void
describe(const struct reg_lease *l, struct lease_was *w)
{
	struct mac_addr	 m;
	struct tm	 tm;
	time_t		 t = (time_t)l->expire;
	char		 stamp[32], rel[32];

	memset(w, 0, sizeof(*w));
	snprintf(w->state, sizeof(w->state), "%s",
	    lease_state_str((enum lease_state)l->state));
	if (l->htype == 1 && l->hlen == 6) {
		memcpy(m.b, l->chaddr, 6);
		mac_format(&m, w->mac);
	}
	/* A declined address belongs to no client ('D'): no identity. */
	if (l->client_key_len > 1 && l->client_key[0] == 'I')
		enroll_id_str(l->client_key, l->client_key_len, w->id,
		    sizeof(w->id));
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(stamp, sizeof(stamp), "%lld", (long long)l->expire);
	snprintf(w->when, sizeof(w->when), "%s, %s", stamp,
	    reltime(t, rel, sizeof(rel)));
	w->ends = (long long)l->expire;
}

/* "bound to 80:5e:c0:10:00:01 (id 01:80:...) until 2026-..., in 59m" */
static void
print_was(const struct reg_lease *l, const struct lease_was *w)
{
	const char *who = w->mac[0] != '\0' ? w->mac : "a client";

	switch (l->state) {
	case LEASE_DECLINED:
		printf("declined, set aside until %s", w->when);
		return;
	case LEASE_RELEASED:
		printf("released by %s", who);
		break;
	case LEASE_OFFERED:
		printf("offered to %s", who);
		break;
	default:
		printf("%s to %s", w->state, who);
		break;
	}
	if (w->id[0] != '\0')
		printf(" (%s)", w->id);
	printf(" %s %s", (time_t)l->expire > ctl_now ? "until" : "ended",
	    w->when);
}

static int
print_json(const char *address, const char *action, const struct lease_was *w,
    const char *via)
{
	json_t *o = jobj(), *was = jobj();

	jset(o, "address", jtext(address));
	jset(o, "action", jtext(action));
	jset(o, "via", jtext(via));
	jset(was, "state", jtext(w->state));
	jset(was, "mac", jtext_or_null(w->mac));
	jset(was, "client_id", jtext_or_null(w->id));
	jset(was, "ends", jint(w->ends));
	jset(o, "was", was);
	return json_print(o);
}

/*
 * The lease through provbox-dhcpd's socket: the exit status, or
 * CTL_NOT_RUNNING when it does not run (the caller works on the registry).
 */
static int
lease_via_dhcpd(const char *path, const char *ips, int release)
{
	struct cfg	*cfg;
	struct lease_was w;
	struct reg_lease l;
	json_t		*args = jobj(), *ans = NULL, *a, *was;
	const char	*s;
	char		 err[512];
	int		 r, ret = 1;

	if ((cfg = ctl_load(path, CFG_NO_FILE_CHECKS | CFG_NO_TEMPLATES,
	    NULL)) == NULL) {
		json_decref(args);
		return 1;
	}
	jset(args, "ip", jtext(ips));
	r = ctl_call(cfg, "provbox-dhcpd", release ? "lease-release" :
	    "lease-delete", args, &ans, err, sizeof(err));
	json_decref(args);
	cfg_free(cfg);
	if (r == CTL_NOT_RUNNING)
		return r;
	if (r != 0) {
		fprintf(stderr, "provboxctl: provbox-dhcpd: %s\n", err);
		return 1;
	}
	if (ctl_result(ans) != CTL_OK) {
		fprintf(stderr, "provboxctl: %s%s\n", ctl_text(ans),
		    ctl_result(ans) == CTL_EMPTY ? " (provboxctl leases lists "
		    "them)" : "");
		goto done;
	}
	a = json_object_get(ans, "arguments");
	was = json_object_get(a, "was");
	/* What the daemon says it was, told as the registry path tells it. */
	memset(&l, 0, sizeof(l));
	s = json_string_value(json_object_get(was, "state"));
	for (int st = LEASE_OFFERED; s != NULL && st <= LEASE_DECLINED; st++)
		if (strcmp(s, lease_state_str((enum lease_state)st)) == 0)
			l.state = (uint8_t)st;
	l.expire = (int64_t)json_integer_value(json_object_get(was, "ends"));
	describe(&l, &w);
	if ((s = json_string_value(json_object_get(was, "mac"))) != NULL)
		snprintf(w.mac, sizeof(w.mac), "%s", s);
	if ((s = json_string_value(json_object_get(was, "client_id"))) !=
	    NULL)
		snprintf(w.id, sizeof(w.id), "%s", s);
	ret = 0;
	if (ctl_json)
		ret = print_json(ips, release ? "released" : "deleted", &w,
		    "dhcpd") != 0;
	else {
		printf("%s: %s (was ", ips, release ? "released" :
		    "deleted");
		print_was(&l, &w);
		printf(")\n");
	}
done:
	json_decref(ans);
	return ret;
}

int
cmd_lease(const char *path, const char *verb, const char *arg)
{
	struct session		 s;
	struct reg_lease	 l, old;
	struct lease_was	 was;
	uint32_t		 ip;
	char			 ips[IP4_STR_LEN];
	int			 release, ok = 0, ret, r;

	if (strcmp(verb, "release") == 0)
		release = 1;
	else if (strcmp(verb, "delete") == 0)
		release = 0;
	else {
		fprintf(stderr, "provboxctl: lease %s: the commands are lease "
		    "release IP and lease delete IP\n", verb);
		return 2;
	}
	if (ip4_parse(arg, &ip) != 0) {
		fprintf(stderr, "provboxctl: %s is not an IPv4 address\n", arg);
		return 2;
	}
	ip4_format(ip, ips);
	memset(&old, 0, sizeof(old));
	if ((r = lease_via_dhcpd(path, ips, release)) != CTL_NOT_RUNNING)
		return r;
	if (session_open(&s, path, 1) != 0)
		return 1;
	if (cfg_subnet_find(s.cfg, ip) == NULL) {
		fprintf(stderr, "provboxctl: %s is in no configured subnet\n",
		    ips);
		goto done;
	}
	if ((r = reg_lease_get(&s.txn, ip, &l)) == REG_NOTFOUND) {
		fprintf(stderr, "provboxctl: %s: no lease record (provboxctl "
		    "leases lists them)\n", ips);
		goto done;
	}
	if (r != 0)
		goto fail;
	old = l;
	describe(&old, &was);
	if (release) {
		/*
		 * RFC 2131 4.3.4, done for the client: the record and its
		 * identity stay, so the client gets this address back, but
		 * it is over now. A lease already over keeps its end.
		 */
		l.state = LEASE_RELEASED;
		if (l.expire > (int64_t)ctl_now)
			l.expire = (int64_t)ctl_now;
		if (reg_lease_put(&s.txn, &l) != 0)
			goto fail;
	} else if (reg_lease_del(&s.txn, ip) != 0)
		goto fail;
	ok = 1;
	goto done;
fail:
	fprintf(stderr, "provboxctl: %s: %s\n", ips, reg_strerror(s.txn.err));
done:
	/* Nothing is said to have happened before the commit lands. */
	if ((ret = session_close(&s, ok)) == 0 && ok) {
		if (ctl_json) {
			if (print_json(ips, release ? "released" : "deleted",
			    &was, "registry") != 0)
				ret = 1;
		} else {
			printf("%s: %s (was ", ips, release ? "released" :
			    "deleted");
			print_was(&old, &was);
			printf(")\n");
		}
	}
	return ret;
}
