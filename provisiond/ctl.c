/*
 * ctl.c - provbox-provisiond's control-socket commands: its counters
 * (requests by status class, the enumeration guard's) and one device's
 * state from the registry (enrollment, its user's token state without the
 * token itself, the last fetch, the event story).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "addr.h"
#include "cfg.h"
#include "ctl.h"
#include "enroll.h"
#include "guard.h"
#include "log.h"
#include "provisiond.h"
#include "registry.h"
#include "tlsconn.h"

static json_t *
time_or_null(int64_t t)
{
	return t != 0 ? json_integer((json_int_t)t) : json_null();
}

/*
 * statistic-get: requests answered since start, by status class ("2xx",
 * ...), the connections (open now, closed by a deadline or for a
 * newcomer, TLS handshakes and resumptions), and the guard's counters and
 * state.
 */
static int
cmd_stats(json_t *args, json_t *ans, char *text, size_t textsz)
{
	const struct provd_view	*v = provd_view();
	struct guard_stats	 gs;
	struct tlsconn_stats	 ts;
	json_t			*st, *g, *c;
	time_t			 until = 0;
	char			 k[8];
	int			 attack;

	(void)args;
	if (v == NULL) {
		snprintf(text, textsz, "not serving yet");
		return CTL_ERROR;
	}
	json_object_set_new(ans, "requests", json_integer(
	    (json_int_t)v->requests));
	st = json_object();
	for (int i = 1; i < 6; i++) {
		snprintf(k, sizeof(k), "%dxx", i);
		json_object_set_new(st, k, json_integer(
		    (json_int_t)v->status[i]));
	}
	json_object_set_new(ans, "by_status", st);
	tlsconn_get_stats(&ts);
	c = json_object();
	json_object_set_new(c, "open", json_integer((json_int_t)ts.open));
	json_object_set_new(c, "accepted", json_integer(
	    (json_int_t)ts.accepted));
	json_object_set_new(c, "handshakes", json_integer(
	    (json_int_t)ts.handshakes));
	json_object_set_new(c, "resumed", json_integer(
	    (json_int_t)ts.resumed));
	json_object_set_new(c, "closed_handshake_timeout", json_integer(
	    (json_int_t)ts.closed_handshake));
	json_object_set_new(c, "closed_request_timeout", json_integer(
	    (json_int_t)ts.closed_request));
	json_object_set_new(c, "closed_for_newcomer", json_integer(
	    (json_int_t)ts.closed_limit));
	json_object_set_new(ans, "connections", c);
	g = json_object();
	if (v->guard != NULL) {
		guard_get_stats(v->guard, &gs);
		attack = guard_under_attack(v->guard, time(NULL), &until);
		json_object_set_new(g, "hits", json_integer(
		    (json_int_t)gs.hits));
		json_object_set_new(g, "misses", json_integer(
		    (json_int_t)gs.misses));
		json_object_set_new(g, "refused", json_integer(
		    (json_int_t)gs.refused));
		json_object_set_new(g, "blocks", json_integer(
		    (json_int_t)gs.blocks));
		json_object_set_new(g, "tracked", json_integer(
		    (json_int_t)gs.tracked));
		json_object_set_new(g, "evicted", json_integer(
		    (json_int_t)gs.evicted));
		json_object_set_new(g, "attacks", json_integer(
		    (json_int_t)gs.attacks));
		json_object_set_new(g, "under_attack_until", attack ?
		    json_integer((json_int_t)until) : json_null());
	}
	json_object_set_new(ans, "guard", g);
	snprintf(text, textsz, "%lu requests: %lu 2xx, %lu 3xx, %lu 4xx, "
	    "%lu 5xx", v->requests, v->status[2], v->status[3], v->status[4],
	    v->status[5]);
	return CTL_OK;
}

static int
event_one(const struct reg_event *ev, void *arg)
{
	json_t	*arr = arg, *o = json_object();
	char	 ip[IP4_STR_LEN], detail[sizeof(ev->detail) * 4];

	json_object_set_new(o, "time", json_integer((json_int_t)ev->time));
	json_object_set_new(o, "event", json_string(enroll_event_str(
	    ev->kind)));
	json_object_set_new(o, "ip", ev->ip != 0 ? json_string(ip4_format(
	    ev->ip, ip)) : json_null());
	log_escape(detail, sizeof(detail), ev->detail, strnlen(ev->detail,
	    sizeof(ev->detail)));
	json_object_set_new(o, "detail", json_string(detail));
	json_array_append_new(arr, o);
	return 0;
}

/* The user's token state: whether there is one, never the token. */
static json_t *
token_json(const struct reg_user *u, time_t now)
{
	json_t *o = json_object();

	json_object_set_new(o, "sealed", json_boolean(u->secrets_sealed));
	json_object_set_new(o, "state", json_string(u->secrets_sealed ?
	    "unknown" : u->token[0] != '\0' ? "active" : "revoked"));
	json_object_set_new(o, "created", time_or_null(u->token_created));
	json_object_set_new(o, "old_url_until", u->old_until > now ?
	    json_integer((json_int_t)u->old_until) : json_null());
	return o;
}

/*
 * device-get: {"mac"}: registered, user, class, model, enrollment (state,
 * since, window_until, first_access: identity, ip, handed, fetched,
 * issued — the first-access token's existence, not the token), token
 * (its user's token state), last_fetch, events (newest first). Result 3
 * when the registry knows nothing of the MAC.
 */
static int
cmd_device(json_t *args, json_t *ans, char *text, size_t textsz)
{
	const struct provd_view	*v = provd_view();
	json_t			*m = json_object_get(args, "mac");
	json_t			*en, *fa, *lf, *events;
	struct reg_txn		 txn;
	struct reg_device	 d;
	struct reg_user		 u;
	struct reg_enroll	 e;
	struct reg_fetch	 f;
	struct mac_addr		 mac;
	enum enroll_state	 state = ENROLL_NEW;
	char			 ms[MAC_STR_LEN], ip[IP4_STR_LEN], id[600];
	char			 file[sizeof(f.file) * 4];
	time_t			 now = time(NULL);
	int			 rd, re, rf, ret = CTL_OK;

	if (m == NULL || !json_is_string(m) ||
	    mac_parse(json_string_value(m), &mac) != 0) {
		snprintf(text, textsz, "\"mac\" must be a MAC address");
		return CTL_ERROR;
	}
	if (v == NULL || v->reg == NULL) {
		snprintf(text, textsz, "not serving yet");
		return CTL_ERROR;
	}
	memset(&u, 0, sizeof(u));
	memset(&e, 0, sizeof(e));
	if (reg_txn_begin(v->reg, &txn, 1) != 0) {
		snprintf(text, textsz, "registry: %s", reg_strerror(txn.err));
		return CTL_ERROR;
	}
	mac_format(&mac, ms);
	rd = reg_device_get(&txn, &mac, &d);
	json_object_set_new(ans, "mac", json_string(ms));
	json_object_set_new(ans, "registered", json_boolean(rd == 0));
	json_object_set_new(ans, "user", rd == 0 ? json_string(d.user) :
	    json_null());
	json_object_set_new(ans, "class", rd == 0 ? json_string(d.vendor) :
	    json_null());
	json_object_set_new(ans, "model", rd == 0 && d.model[0] != '\0' ?
	    json_string(d.model) : json_null());
	if (rd == 0 && reg_user_get(&txn, d.user, &u) == 0)
		json_object_set_new(ans, "token", token_json(&u, now));
	else
		json_object_set_new(ans, "token", json_null());
	reg_user_clear(&u);

	en = json_object();
	if ((re = reg_enroll_get(&txn, &mac, &e)) == 0)
		state = enroll_state_at(&e, now);
	json_object_set_new(en, "state", json_string(enroll_state_str(state)));
	json_object_set_new(en, "since", re == 0 ? time_or_null(e.since) :
	    json_null());
	json_object_set_new(en, "window_until", state == ENROLL_ENROLLING ?
	    json_integer((json_int_t)e.window_until) : json_null());
	if (re == 0 && e.id_len > 0) {
		fa = json_object();
		json_object_set_new(fa, "identity", json_string(enroll_id_str(
		    e.id, e.id_len, id, sizeof(id))));
		json_object_set_new(fa, "ip", e.fa_ip != 0 ? json_string(
		    ip4_format(e.fa_ip, ip)) : json_null());
		json_object_set_new(fa, "handed", time_or_null(e.fa_handed));
		json_object_set_new(fa, "fetched", time_or_null(e.fa_fetched));
		json_object_set_new(en, "first_access", fa);
	} else
		json_object_set_new(en, "first_access", json_null());
	json_object_set_new(en, "first_access_token", json_boolean(re == 0 &&
	    (e.fa_token[0] != '\0' || e.secrets_sealed)));
	json_object_set_new(en, "token_seen", re == 0 ?
	    time_or_null(e.token_seen) : json_null());
	json_object_set_new(ans, "enrollment", en);
	reg_enroll_clear(&e);

	if ((rf = reg_fetch_get(&txn, &mac, &f)) == 0) {
		lf = json_object();
		json_object_set_new(lf, "time", json_integer(
		    (json_int_t)f.time));
		json_object_set_new(lf, "ip", f.ip != 0 ? json_string(
		    ip4_format(f.ip, ip)) : json_null());
		/* The file name is what the client asked for. */
		log_escape(file, sizeof(file), f.file, strnlen(f.file,
		    sizeof(f.file)));
		json_object_set_new(lf, "file", json_string(file));
		json_object_set_new(lf, "status", json_integer(f.status));
		json_object_set_new(lf, "refused", f.refused[0] != '\0' ?
		    json_string(f.refused) : json_null());
		json_object_set_new(ans, "last_fetch", lf);
	} else
		json_object_set_new(ans, "last_fetch", json_null());
	events = json_array();
	if (reg_event_foreach(&txn, &mac, event_one, events) != 0)
		ret = CTL_ERROR;
	json_object_set_new(ans, "events", events);
	reg_txn_abort(&txn);
	if (ret == CTL_ERROR) {
		snprintf(text, textsz, "registry: %s", reg_strerror(txn.err));
		return ret;
	}
	if (rd != 0 && re != 0 && rf != 0 && json_array_size(events) == 0) {
		snprintf(text, textsz, "%s: not in the registry", ms);
		return CTL_EMPTY;
	}
	snprintf(text, textsz, "%s: %s%s%s, enrollment %s", ms,
	    rd == 0 ? "user " : "not registered", rd == 0 ? d.user : "",
	    "", enroll_state_str(state));
	return CTL_OK;
}

const struct ctl_command provd_ctl_commands[] = {
	{ "statistic-get", "HTTPS requests by status class, guard counters",
	    cmd_stats },
	{ "device-get", "a phone's registration, enrollment, token state, "
	    "last fetch and events (arguments: mac)", cmd_device },
};
const size_t provd_ctl_ncommands = sizeof(provd_ctl_commands) /
    sizeof(provd_ctl_commands[0]);
