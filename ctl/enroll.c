/*
 * enroll.c - provboxctl's enrollment commands:
 *
 *   enroll MAC|USER|--all [--for DURATION]   open a window (enroll.h)
 *   enroll MAC|USER|--all --close            end it early
 *   device clear MAC                         suspect -> new
 *
 * and the enrollment part of `status MAC`: the state, the window, where
 * the first-access URL went, and the device's recent events.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "addr.h"
#include "ctl.h"
#include "enroll.h"
#include "settings.h"

long
parse_duration(const char *s)
{
	char	*end;
	long	 v, mult = 1;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (end == s || v <= 0 || v > 30L * 86400)
		return -1;
	if (*end != '\0') {
		switch (*end) {
		case 's':
			mult = 1;
			break;
		case 'm':
			mult = 60;
			break;
		case 'h':
			mult = 3600;
			break;
		case 'd':
			mult = 86400;
			break;
		default:
			return -1;
		}
		if (end[1] != '\0')
			return -1;
	}
	if (v > 30L * 86400 / mult)
		return -1;
	return v * mult;
}

struct pick {
	const char	*user;		/* NULL: every device */
	struct mac_addr	*macs;
	size_t		 n, cap;
	int		 nomem;
};

static int
pick_device(const struct reg_device *d, void *arg)
{
	struct pick *p = arg;

	if (p->user != NULL && strcmp(d->user, p->user) != 0)
		return 0;
	if (p->n == p->cap) {
		size_t		 cap = p->cap ? p->cap * 2 : 64;
		struct mac_addr	*m = realloc(p->macs, cap * sizeof(*m));

		if (m == NULL) {
			p->nomem = 1;
			return -1;
		}
		p->macs = m;
		p->cap = cap;
	}
	p->macs[p->n++] = d->mac;
	return 0;
}

static void
print_event_line(const struct reg_event *ev)
{
	char mac[MAC_STR_LEN];

	mac_format(&ev->mac, mac);
	printf("%s: %s: %s\n", mac, enroll_event_str(ev->kind), ev->detail);
}

/* One device's result of enroll, with its event when it has one. */
static json_t *
device_json(const char *mac, const char *result, const struct reg_event *ev)
{
	json_t *o = jobj(), *e;

	jset(o, "mac", jtext(mac));
	jset(o, "result", jtext(result));
	if (ev != NULL) {
		e = jobj();
		jset(e, "time", jint((long long)ev->time));
		jset(e, "event", jtext(enroll_event_str(ev->kind)));
		jset(e, "detail", jtext(ev->detail));
		jset(o, "event", e);
	} else
		jset(o, "event", jnull());
	return o;
}

int
cmd_enroll(const char *path, const char *who, const struct enroll_args *a)
{
	struct session		 s;
	struct pick		 p;
	struct reg_device	 d;
	struct mac_addr		 mac;
	struct reg_event	*evs = NULL;
	int			*suspect = NULL, *changed = NULL;
	unsigned		 seconds;
	size_t			 nsuspect = 0, nopened = 0;
	int			 ok = 0, ret, r;

	memset(&p, 0, sizeof(p));
	if (session_open(&s, path, 1) != 0)
		return 1;
	seconds = a->seconds ? a->seconds : s.cfg->prov.enroll.window;
	if (a->all)
		r = reg_device_foreach(&s.txn, pick_device, &p);
	else if (mac_parse(who, &mac) == 0) {
		if ((r = reg_device_get(&s.txn, &mac, &d)) == REG_NOTFOUND) {
			fprintf(stderr, "provboxctl: %s is not in the registry "
			    "(is it in users.conf? run sync)\n", who);
			goto done;
		}
		if (r == 0)
			r = pick_device(&d, &p);
	} else {
		struct reg_user u;

		if ((r = reg_user_get(&s.txn, who, &u)) == REG_NOTFOUND) {
			fprintf(stderr, "provboxctl: no user or MAC %s in the "
			    "registry\n", who);
			goto done;
		}
		reg_user_clear(&u);
		p.user = who;
		if (r == 0)
			r = reg_device_foreach(&s.txn, pick_device, &p);
	}
	if (r != 0 || p.nomem)
		goto done;
	if (p.n == 0) {
		fprintf(stderr, "provboxctl: no device to enroll\n");
		goto done;
	}
	if ((evs = calloc(p.n, sizeof(*evs))) == NULL ||
	    (suspect = calloc(p.n, sizeof(*suspect))) == NULL ||
	    (changed = calloc(p.n, sizeof(*changed))) == NULL)
		goto done;
	for (size_t i = 0; i < p.n; i++) {
		if (a->close)
			r = enroll_close(&s.txn, &p.macs[i], ctl_now, &evs[i]);
		else
			r = enroll_open(&s.txn, &p.macs[i], ctl_now, seconds,
			    &suspect[i], &evs[i]);
		if (r < 0)
			goto done;
		changed[i] = r > 0;
	}
	ok = 1;
done:
	/* Nothing is said to have happened before the commit lands. */
	if ((ret = session_close(&s, ok)) == 0 && ok) {
		json_t *doc = NULL, *devs = NULL;

		if (ctl_json) {
			doc = jobj();
			devs = jarr();
		}
		for (size_t i = 0; i < p.n; i++) {
			const char	*res;
			char		 m[MAC_STR_LEN];

			mac_format(&p.macs[i], m);
			if (suspect[i]) {
				nsuspect++;
				res = "suspect";
				if (!ctl_json)
					printf("%s: suspect: not enrolled "
					    "(provboxctl status %s shows why; "
					    "provboxctl device clear %s ends "
					    "it)\n", m, m, m);
			} else if (changed[i]) {
				nopened++;
				res = a->close ? "closed" : "opened";
				enroll_log(&evs[i]);
				if (!ctl_json)
					print_event_line(&evs[i]);
			} else {
				res = a->close ? "no-window" : "unchanged";
				if (a->close && !ctl_json)
					printf("%s: no window open\n", m);
			}
			if (ctl_json)
				jpush(devs, device_json(m, res, changed[i] &&
				    !suspect[i] ? &evs[i] : NULL));
		}
		if (!a->close && !ctl_json)
			printf("%zu device%s enrolling for %us: each phone's "
			    "first DHCP answer in that time carries a "
			    "first-access URL for it alone%s\n", nopened,
			    nopened == 1 ? "" : "s", seconds, nsuspect ?
			    "; suspect devices were left out" : "");
		if (ctl_json) {
			jset(doc, "action", jtext(a->close ? "close" : "open"));
			jset(doc, "seconds", a->close ? jnull() :
			    jint(seconds));
			jset(doc, "devices", devs);
			jset(doc, "changed", jint((long long)nopened));
			jset(doc, "suspect", jint((long long)nsuspect));
			if (json_print(doc) != 0)
				ret = 1;
		}
		if (nsuspect > 0 && nopened == 0)
			ret = 1;
	}
	free(p.macs);
	free(evs);
	free(suspect);
	free(changed);
	return ret;
}

/*
 * The admin password the phone is given: the nearest scope's setting,
 * else its own from the registry (settings_tree() decides, as provisiond
 * does). Written into out ("" when none).
 */
static void
phone_admin_password(const struct cfg *cfg, const struct reg_device *d,
    char *out, size_t outsz)
{
	const struct cfg_user	*u = NULL;
	const struct cfg_vendor	*v = cfg_vendor_find(cfg, d->vendor);
	struct settings_in	 in;
	struct tv_doc		*doc;
	const char		*pw;

	out[0] = '\0';
	if (v == NULL || cfg_device_find(cfg, &d->mac, &u) == NULL)
		return;
	memset(&in, 0, sizeof(in));
	in.vendor = v;
	in.user = u;
	in.mac = &d->mac;
	in.model = d->model[0] != '\0' ? d->model : NULL;
	in.device_admin_password = d->admin_password;
	if ((doc = settings_tree(cfg, &in)) == NULL)
		return;
	if ((pw = tv_text(tv_get(tv_get(tv_root(doc), "settings"),
	    "admin_password"))) != NULL)
		snprintf(out, outsz, "%s", pw);
	tv_doc_free(doc);
}

/* device show MAC [--secrets]: what the registry holds for a phone. */
static int
device_show(const char *path, const struct mac_addr *mac, const char *who)
{
	struct session		s;
	struct reg_device	d;
	struct reg_enroll	e;
	struct reg_user		u;
	char			m[MAC_STR_LEN], pw[REG_PHONE_PW_MAX + 1] = "";
	const char		*state = "new";
	int			ret = 1, r;

	memset(&d, 0, sizeof(d));
	memset(&u, 0, sizeof(u));
	memset(&e, 0, sizeof(e));
	if (ctl_secrets && geteuid() != 0) {
		fprintf(stderr, "provboxctl: --secrets: only root may see a "
		    "phone's passwords\n");
		return 1;
	}
	if (session_open(&s, path, 0) != 0)
		return 1;
	if ((r = reg_device_get(&s.txn, mac, &d)) != 0) {
		fprintf(stderr, "provboxctl: %s is not in the registry\n", who);
		goto done;
	}
	if (reg_enroll_get(&s.txn, mac, &e) == 0)
		state = enroll_state_str(e.state);
	if (ctl_secrets) {
		if (d.secrets_sealed || reg_user_get(&s.txn, d.user, &u) != 0 ||
		    u.secrets_sealed) {
			fprintf(stderr, "provboxctl: %s: the registry's secrets "
			    "cannot be opened here (run as root, with the "
			    "registry's secret.key)\n", who);
			goto done;
		}
		phone_admin_password(s.cfg, &d, pw, sizeof(pw));
	}
	mac_format(mac, m);
	if (ctl_json) {
		json_t *o = jobj();

		jset(o, "mac", jtext(m));
		jset(o, "user", jtext(d.user));
		jset(o, "class", jtext(d.vendor));
		jset(o, "model", jtext(d.model));
		jset(o, "enrollment", jtext(state));
		if (ctl_secrets) {
			jset(o, "admin_password", jtext(pw));
			jset(o, "sip_password", jtext(u.sip_password));
		}
		ret = json_print(o) != 0;
	} else {
		printf("mac:          %s\nuser:         %s\nclass:        "
		    "%s\nmodel:        %s\nenrollment:   %s\n", m, d.user,
		    d.vendor, d.model[0] ? d.model : "-", state);
		if (ctl_secrets)
			printf("admin password: %s\nSIP password:   %s "
			    "(account 1)\n", pw[0] ? pw : "-",
			    u.sip_password);
		ret = 0;
	}
done:
	OPENSSL_cleanse(pw, sizeof(pw));
	reg_device_clear(&d);
	reg_user_clear(&u);
	reg_enroll_clear(&e);
	session_close(&s, 0);
	return ret;
}

int
cmd_device(const char *path, const char *verb, const char *who)
{
	struct session		s;
	struct reg_device	d;
	struct reg_event	ev;
	struct mac_addr		mac;
	int			ok = 0, ret, r = 0;

	if (strcmp(verb, "clear") != 0 && strcmp(verb, "show") != 0) {
		fprintf(stderr, "provboxctl: device %s: unknown (device show "
		    "MAC [--secrets], device render MAC FILE, device clear "
		    "MAC)\n", verb);
		return 2;
	}
	if (mac_parse(who, &mac) != 0) {
		fprintf(stderr, "provboxctl: %s is not a MAC address\n", who);
		return 2;
	}
	if (strcmp(verb, "show") == 0)
		return device_show(path, &mac, who);
	if (session_open(&s, path, 1) != 0)
		return 1;
	if (reg_device_get(&s.txn, &mac, &d) != 0) {
		fprintf(stderr, "provboxctl: %s is not in the registry\n", who);
		goto done;
	}
	if ((r = enroll_clear(&s.txn, &mac, ctl_now, &ev)) < 0)
		goto done;
	ok = 1;
done:
	if ((ret = session_close(&s, ok)) == 0 && ok && ctl_json) {
		json_t	*o = jobj();
		char	 m[MAC_STR_LEN];

		if (r > 0)
			enroll_log(&ev);
		jset(o, "mac", jtext(mac_format(&mac, m)));
		jset(o, "action", jtext("clear"));
		jset(o, "cleared", jbool(r > 0));
		if (json_print(o) != 0)
			ret = 1;
	} else if (ret == 0 && ok) {
		if (r > 0) {
			enroll_log(&ev);
			printf("%s: suspect cleared; the device is new: "
			    "provboxctl enroll %s opens a window\n", who, who);
		} else
			printf("%s: not suspect; nothing to clear\n", who);
	}
	return ret;
}

struct story {
	int	 n;
	json_t	*arr;		/* --json: the events */
};

static int
story_line(const struct reg_event *ev, void *arg)
{
	struct story	*st = arg;
	char		 when[32], ip[IP4_STR_LEN] = "-";
	json_t		*o;

	if (ev->ip != 0)
		ip4_format(ev->ip, ip);
	if (st->arr != NULL) {
		o = jobj();
		jset(o, "time", jint((long long)ev->time));
		jset(o, "event", jtext(enroll_event_str(ev->kind)));
		jset(o, "ip", ev->ip != 0 ? jtext(ip) : jnull());
		jset(o, "detail", jtext(ev->detail));
		jpush(st->arr, o);
	} else
		printf("    %-9s %-20s %-15s %s\n", reltime((time_t)ev->time,
		    when, sizeof(when)), enroll_event_str(ev->kind), ip,
		    ev->detail);
	st->n++;
	return 0;
}

void
status_enroll(struct session *s, const struct mac_addr *mac, json_t *obj)
{
	struct reg_enroll	 e;
	struct story		 st = { 0, NULL };
	json_t			*fa;
	enum enroll_state	 state = ENROLL_NEW;
	char			 when[32], id[64], ip[IP4_STR_LEN];
	int			 r;

	memset(&e, 0, sizeof(e));
	if ((r = reg_enroll_get(&s->txn, mac, &e)) == 0)
		state = enroll_state_at(&e, ctl_now);
	else if (r < 0)
		return;
	if (obj != NULL) {
		jset(obj, "state", jtext(enroll_state_str(state)));
		jset(obj, "since", r == 0 ? jtime(e.since) : jnull());
		jset(obj, "window_until", state == ENROLL_ENROLLING ?
		    jint((long long)e.window_until) : jnull());
		if (state == ENROLL_ENROLLING && e.id_len > 0) {
			fa = jobj();
			jset(fa, "identity", jtext(enroll_id_str(e.id, e.id_len,
			    id, sizeof(id))));
			jset(fa, "ip", jtext(ip4_format(e.fa_ip, ip)));
			jset(fa, "handed", jint((long long)e.fa_handed));
			jset(fa, "fetched", jtime(e.fa_fetched));
			jset(obj, "first_access", fa);
		} else
			jset(obj, "first_access", jnull());
		st.arr = jarr();
		reg_event_foreach(&s->txn, mac, story_line, &st);
		jset(obj, "events", st.arr);
		reg_enroll_clear(&e);
		return;
	}
	printf("  enrollment: %s", enroll_state_str(state));
	if (state == ENROLL_ENROLLING)
		printf(", window ends %s", reltime((time_t)e.window_until,
		    when, sizeof(when)));
	else if (r == 0 && e.since != 0)
		printf(" since %s", reltime((time_t)e.since, when,
		    sizeof(when)));
	printf("\n");
	if (state == ENROLL_ENROLLING && e.id_len > 0) {
		printf("  first-access URL: went to %s at %s %s", enroll_id_str(
		    e.id, e.id_len, id, sizeof(id)), ip4_format(e.fa_ip, ip),
		    reltime((time_t)e.fa_handed, when, sizeof(when)));
		if (e.fa_fetched != 0)
			printf(", file fetched %s", reltime(
			    (time_t)e.fa_fetched, when, sizeof(when)));
		printf("\n");
	}
	if (state == ENROLL_SUSPECT)
		printf("  another client identity claimed this MAC: check the "
		    "events below and the switch port; provboxctl device "
		    "clear then enroll it again\n");
	printf("  events (newest first):\n");
	reg_event_foreach(&s->txn, mac, story_line, &st);
	if (st.n == 0)
		printf("    none\n");
	reg_enroll_clear(&e);
}
