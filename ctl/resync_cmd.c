/*
 * resync_cmd.c - provboxctl resync MAC|USER|--all [--reboot]: which
 * phones, where (the live lease of each MAC), with which event and
 * account 1's credentials from the registry, then the transactions of
 * ctl/resync.c and one line (or JSON object) per phone.
 *
 * The registry is read in one read transaction that ends before anything
 * is sent: the wait (up to Timer F, 32 s) holds no LMDB snapshot.
 * Passwords are copied only into the transactions, which wipe them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "addr.h"
#include "ctl.h"
#include "resync.h"

#define RESYNC_PHONES_MAX	4096	/* more than an office has */

struct target {
	struct mac_addr	 mac;
	char		 user[CFG_NAME_MAX + 1];
	char		 vendor[CFG_NAME_MAX + 1];
};

struct collect {
	const char	*user;		/* NULL: every device */
	struct target	*t;
	size_t		 n;
	int		 full;
};

static int
collect_device(const struct reg_device *d, void *arg)
{
	struct collect	*c = arg;
	struct target	*t;

	if (c->user != NULL && strcmp(d->user, c->user) != 0)
		return 0;
	if (c->n >= RESYNC_PHONES_MAX) {
		c->full = 1;
		return 1;
	}
	if ((c->n & 15) == 0) {
		if ((t = realloc(c->t, (c->n + 16) * sizeof(*t))) == NULL)
			return -1;
		c->t = t;
	}
	t = &c->t[c->n++];
	t->mac = d->mac;
	snprintf(t->user, sizeof(t->user), "%s", d->user);
	snprintf(t->vendor, sizeof(t->vendor), "%s", d->vendor);
	return 0;
}

/* The MAC's live lease (bound, not over): 0 with *ip, or -1. */
static int
live_lease(struct reg_txn *txn, const struct mac_addr *mac, uint32_t *ip)
{
	uint32_t	 ips[8];
	int		 n = reg_lease_ips_by_mac(txn, mac, ips, 8);

	for (int i = 0; i < n && i < 8; i++) {
		struct reg_lease l;

		if (reg_lease_get(txn, ips[i], &l) == 0 &&
		    l.state == LEASE_BOUND && (time_t)l.expire > ctl_now) {
			*ip = l.ip;
			return 0;
		}
	}
	return -1;
}

/* The test knob (resync.h); 0: Timer F. */
static unsigned
timeout_ms(void)
{
	const char	*s = getenv(RESYNC_TIMEOUT_ENV);
	char		*end;
	unsigned long	 v;

	if (s == NULL || *s == '\0')
		return 0;
	v = strtoul(s, &end, 10);
	return *end == '\0' && v > 0 && v <= SIPPNP_TF_MS ? (unsigned)v : 0;
}

/* "00:04:13:20:00:02 bob 10.42.0.101: sent check-sync; 200 OK" */
static void
print_phone(const struct target *t, const struct resync_phone *p,
    unsigned waited_ms)
{
	char	 m[MAC_STR_LEN], ip[IP4_STR_LEN];

	mac_format(&t->mac, m);
	if (p->result == RESYNC_NO_LEASE) {
		printf("%s %s: no lease, not sent\n", m, t->user);
		return;
	}
	printf("%s %s %s: ", m, t->user, ip4_format(p->ip, ip));
	switch (p->result) {
	case RESYNC_ACKED:
	case RESYNC_REJECTED:
		printf("sent %s; %d%s%s", p->event, p->status,
		    p->reason[0] != '\0' ? " " : "", p->reason);
		if (p->challenged && p->note == NULL)
			printf(" (after a digest challenge)");
		break;
	case RESYNC_TIMEOUT:
		printf("sent %s; timeout after %u s%s", p->event,
		    (waited_ms + 999) / 1000, p->challenged ?
		    " (after a digest challenge)" : "");
		break;
	default:
		printf("not sent");
		break;
	}
	if (p->note != NULL)
		printf(" (%s)", p->note);
	printf("\n");
}

static json_t *
json_phone(const struct target *t, const struct resync_phone *p)
{
	json_t	*o = jobj();
	char	 m[MAC_STR_LEN], ip[IP4_STR_LEN];
	int	 sent = p->result == RESYNC_ACKED ||
		    p->result == RESYNC_REJECTED ||
		    p->result == RESYNC_TIMEOUT;

	jset(o, "mac", jtext(mac_format(&t->mac, m)));
	jset(o, "user", jtext(t->user));
	jset(o, "class", jtext(t->vendor));
	jset(o, "address", p->result == RESYNC_NO_LEASE ? jnull() :
	    jtext(ip4_format(p->ip, ip)));
	jset(o, "event", jtext(p->event));
	jset(o, "sent", jbool(sent));
	jset(o, "result", jtext(resync_result_str(p->result)));
	jset(o, "status", p->status != 0 ? jint(p->status) : jnull());
	jset(o, "reason", p->status != 0 ? jtext(p->reason) : jnull());
	jset(o, "digest", jbool(p->challenged));
	jset(o, "note", jtext(p->note));
	return o;
}

int
cmd_resync(const char *path, const char *who, int reboot, json_t *into)
{
	struct session		 s;
	struct collect		 c;
	struct resync_phone	*p = NULL;
	struct mac_addr		 mac;
	unsigned		 wait = timeout_ms();
	int			 ret = 1, open = 0, acked = 1;

	memset(&c, 0, sizeof(c));
	if (session_open(&s, path, 0) != 0)
		return 1;
	open = 1;
	if (who != NULL && mac_parse(who, &mac) == 0) {
		struct reg_device d;

		if (reg_device_get(&s.txn, &mac, &d) != 0) {
			fprintf(stderr, "provboxctl: %s is not in the "
			    "registry (is it in users.conf? run sync)\n", who);
			goto done;
		}
		c.user = d.user;
		if (collect_device(&d, &c) != 0)
			goto oom;
		reg_device_clear(&d);
		c.user = NULL;
	} else {
		struct reg_user u;

		if (who != NULL && reg_user_get(&s.txn, who, &u) != 0) {
			fprintf(stderr, "provboxctl: no user %s in the "
			    "registry\n", who);
			goto done;
		}
		if (who != NULL)
			reg_user_clear(&u);
		c.user = who;
		if (reg_device_foreach(&s.txn, collect_device, &c) != 0)
			goto oom;
	}
	if (c.full) {
		fprintf(stderr, "provboxctl: more than %d phones\n",
		    RESYNC_PHONES_MAX);
		goto done;
	}
	if (c.n == 0) {
		fprintf(stderr, "provboxctl: %s has no phones\n", who != NULL ?
		    who : "the registry");
		goto done;
	}
	if ((p = calloc(c.n, sizeof(*p))) == NULL)
		goto oom;
	for (size_t i = 0; i < c.n; i++) {
		struct reg_user u;

		snprintf(p[i].event, sizeof(p[i].event), "%s",
		    resync_event(c.t[i].vendor, reboot));
		if (live_lease(&s.txn, &c.t[i].mac, &p[i].ip) != 0) {
			p[i].result = RESYNC_NO_LEASE;
			continue;
		}
		/* Account 1, as provisiond writes it into the phone's file;
		 * its password only where this process has the key. */
		if (reg_user_get(&s.txn, c.t[i].user, &u) == 0) {
			snprintf(p[i].sip_user, sizeof(p[i].sip_user), "%s",
			    u.sip_user);
			if (!u.secrets_sealed)
				snprintf(p[i].password, sizeof(p[i].password),
				    "%s", u.sip_password);
			reg_user_clear(&u);
		}
	}
	/* Nothing is held while the phones answer. */
	session_close(&s, 1);
	open = 0;
	if (resync_run(p, c.n, wait) != 0) {
		perror("provboxctl: poll");
		goto done;
	}
	if (wait == 0)
		wait = SIPPNP_TF_MS;
	{
		json_t *arr = ctl_json ? jarr() : NULL;

		for (size_t i = 0; i < c.n; i++) {
			if (p[i].result != RESYNC_ACKED)
				acked = 0;
			if (arr != NULL)
				jpush(arr, json_phone(&c.t[i], &p[i]));
			else
				print_phone(&c.t[i], &p[i], wait);
		}
		ret = acked ? 0 : 1;
		if (arr != NULL && into != NULL)
			jset(into, "resync", arr);
		else if (arr != NULL && json_print(arr) != 0)
			ret = 1;
	}
	goto done;
oom:
	fprintf(stderr, "provboxctl: out of memory, or %s\n",
	    reg_strerror(s.txn.err));
done:
	if (open)
		session_close(&s, 0);
	if (p != NULL) {
		for (size_t i = 0; i < c.n; i++)
			OPENSSL_cleanse(p[i].password, sizeof(p[i].password));
		free(p);
	}
	free(c.t);
	return ret;
}
