/*
 * sync.c - bringing the users table of the config into the registry.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "enroll.h"
#include "sync.h"
#include "token.h"

/* Names and MACs of the registry's records that the config no longer has. */
struct stale {
	const struct cfg	*cfg;
	const char		**names;	/* sorted config user names */
	struct mac_addr		*macs;		/* sorted config device MACs */
	size_t			 nmacs;
	char			(*users)[CFG_NAME_MAX + 1];
	size_t			 nusers;
	struct mac_addr		*devices;
	size_t			 ndevices;
	int			 nomem;
};

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
mac_cmp_v(const void *a, const void *b)
{
	return mac_cmp(a, b);
}

static int
collect_user(const struct reg_user *u, void *arg)
{
	struct stale	*s = arg;
	const char	*key = u->name;
	void		*p;

	if (s->cfg->nusers > 0 && bsearch(&key, s->names, s->cfg->nusers,
	    sizeof(*s->names), name_cmp) != NULL)
		return 0;
	if ((p = reallocarray(s->users, s->nusers + 1,
	    sizeof(*s->users))) == NULL) {
		s->nomem = 1;
		return -1;
	}
	s->users = p;
	memcpy(s->users[s->nusers++], u->name, sizeof(u->name));
	return 0;
}

static int
collect_device(const struct reg_device *d, void *arg)
{
	struct stale	*s = arg;
	void		*p;

	if (s->nmacs > 0 && bsearch(&d->mac, s->macs, s->nmacs,
	    sizeof(*s->macs), mac_cmp_v) != NULL)
		return 0;
	if ((p = reallocarray(s->devices, s->ndevices + 1,
	    sizeof(*s->devices))) == NULL) {
		s->nomem = 1;
		return -1;
	}
	s->devices = p;
	s->devices[s->ndevices++] = d->mac;
	return 0;
}

/* The registry form of a configured user, keeping what only it holds. */
static void
user_from_cfg(const struct cfg_user *cu, struct reg_user *u)
{
	snprintf(u->name, sizeof(u->name), "%s", cu->name);
	snprintf(u->display_name, sizeof(u->display_name), "%s",
	    cu->display_name != NULL ? cu->display_name : "");
	snprintf(u->sip_user, sizeof(u->sip_user), "%s", cu->sip_user);
	snprintf(u->sip_password, sizeof(u->sip_password), "%s",
	    cu->sip_password);
	snprintf(u->sip_server, sizeof(u->sip_server), "%s", cu->sip_server);
	u->sip_port = (uint16_t)cu->sip_port;
}

static int
user_same(const struct reg_user *a, const struct reg_user *b)
{
	return strcmp(a->display_name, b->display_name) == 0 &&
	    strcmp(a->sip_user, b->sip_user) == 0 &&
	    strcmp(a->sip_password, b->sip_password) == 0 &&
	    strcmp(a->sip_server, b->sip_server) == 0 &&
	    a->sip_port == b->sip_port;
}

static int
sync_users(struct reg_txn *txn, const struct cfg *cfg, time_t now,
    struct reg_sync_stats *st)
{
	struct reg_user	 old, nu;
	int		 r, renew, ret = 0;

	memset(&old, 0, sizeof(old));
	for (size_t i = 0; i < cfg->nusers && ret == 0; i++) {
		memset(&nu, 0, sizeof(nu));
		user_from_cfg(&cfg->users[i], &nu);
		if ((r = reg_user_get(txn, nu.name, &old)) < 0) {
			ret = -1;
			break;
		}
		renew = r == 0 && old.secrets_sealed != 0;
		if (renew) {
			/*
			 * secret.key was replaced (or lost): the old token
			 * cannot be read, so the user gets a new one.
			 */
			log_warnx("sync: user %s: secrets sealed with another "
			    "key (was secret.key replaced?): new token",
			    nu.name);
			st->users_changed++;
		} else if (r == REG_NOTFOUND)
			st->users_added++;
		if (r == REG_NOTFOUND || renew) {
			if (token_generate(nu.token) != 0) {
				log_warnx("sync: the random number generator "
				    "failed");
				ret = -1;
				break;
			}
			nu.token_created = now;
		} else {
			/* The token (or its revocation) is the registry's. */
			memcpy(nu.token, old.token, sizeof(nu.token));
			nu.token_created = old.token_created;
			memcpy(nu.old_token, old.old_token,
			    sizeof(nu.old_token));
			nu.old_until = old.old_until;
			if (user_same(&old, &nu)) {
				st->users_unchanged++;
				reg_user_clear(&old);
				continue;
			}
			st->users_changed++;
		}
		reg_user_clear(&old);
		ret = reg_user_put(txn, &nu);
	}
	reg_user_clear(&nu);
	reg_user_clear(&old);
	return ret;
}

/*
 * A device's enrollment starts over when it is added or moved to another
 * user (the URL it pinned is no longer its own): new, or, with
 * provisioning.enrollment.auto_window, enrolling for that long.
 */
static int
enroll_restart(struct reg_txn *txn, const struct cfg *cfg,
    const struct mac_addr *mac, time_t now)
{
	struct reg_event	ev;
	int			suspect;

	if (reg_enroll_del(txn, mac) != 0)
		return -1;
	if (cfg->prov.enroll.auto_window == 0)
		return 0;
	if (enroll_open(txn, mac, now, cfg->prov.enroll.auto_window, &suspect,
	    &ev) < 0)
		return -1;
	enroll_log(&ev);
	return 0;
}

static int
sync_devices(struct reg_txn *txn, const struct cfg *cfg, time_t now,
    struct reg_sync_stats *st)
{
	for (size_t i = 0; i < cfg->nusers; i++) {
		const struct cfg_user *cu = &cfg->users[i];

		for (size_t k = 0; k < cu->ndevices; k++) {
			const struct cfg_device	*cd = &cu->devices[k];
			struct reg_device	 d, old;
			int			 r, r2;

			memset(&d, 0, sizeof(d));
			d.mac = cd->mac;
			snprintf(d.user, sizeof(d.user), "%s", cu->name);
			snprintf(d.vendor, sizeof(d.vendor), "%s",
			    cfg->vendors[cd->vendor].name);
			snprintf(d.model, sizeof(d.model), "%s",
			    cd->model != NULL ? cd->model : "");
			if ((r = reg_device_get(txn, &d.mac, &old)) < 0)
				return -1;
			/*
			 * The phone's admin password stays for the device's
			 * life; one that cannot be opened (secret.key was
			 * replaced) is made anew, like a user's token.
			 */
			if (r == 0 && old.admin_password[0] != '\0')
				memcpy(d.admin_password, old.admin_password,
				    sizeof(d.admin_password));
			else if (token_password(d.admin_password) != 0) {
				reg_device_clear(&old);
				return -1;
			}
			if (r == 0 && strcmp(old.user, d.user) == 0 &&
			    strcmp(old.vendor, d.vendor) == 0 &&
			    strcmp(old.model, d.model) == 0 &&
			    old.admin_password[0] != '\0') {
				st->devices_unchanged++;
				reg_device_clear(&old);
				reg_device_clear(&d);
				continue;
			}
			reg_device_clear(&old);
			if (r == 0)
				st->devices_changed++;
			else
				st->devices_added++;
			r2 = reg_device_put(txn, &d);
			reg_device_clear(&d);
			if (r2 != 0)
				return -1;
			if ((r != 0 || strcmp(old.user, d.user) != 0) &&
			    enroll_restart(txn, cfg, &d.mac, now) != 0)
				return -1;
		}
	}
	return 0;
}

int
reg_sync(struct reg *reg, const struct cfg *cfg, time_t now,
    struct reg_sync_stats *st, char *err, size_t errsz)
{
	struct reg_txn	 txn;
	struct stale	 s;
	size_t		 ndev = 0;
	int		 ok, ret = -1;

	memset(st, 0, sizeof(*st));
	memset(&s, 0, sizeof(s));
	/* A sealed value stored as a password would reach the phones. */
	if (cfg_has_sealed(cfg)) {
		snprintf(err, errsz, "the config's sealed values are not opened "
		    "(cfg_unseal)");
		return -1;
	}
	s.cfg = cfg;
	for (size_t i = 0; i < cfg->nusers; i++)
		ndev += cfg->users[i].ndevices;
	if ((cfg->nusers > 0 && (s.names = calloc(cfg->nusers,
	    sizeof(*s.names))) == NULL) ||
	    (ndev > 0 && (s.macs = calloc(ndev, sizeof(*s.macs))) == NULL)) {
		snprintf(err, errsz, "registry sync: out of memory");
		goto done;
	}
	for (size_t i = 0; i < cfg->nusers; i++) {
		s.names[i] = cfg->users[i].name;
		for (size_t k = 0; k < cfg->users[i].ndevices; k++)
			s.macs[s.nmacs++] = cfg->users[i].devices[k].mac;
	}
	/* qsort(NULL, 0) is undefined: an office with no users yet. */
	if (cfg->nusers > 0)
		qsort(s.names, cfg->nusers, sizeof(*s.names), name_cmp);
	if (s.nmacs > 0)
		qsort(s.macs, s.nmacs, sizeof(*s.macs), mac_cmp_v);

	if (reg_txn_begin(reg, &txn, 0) != 0) {
		snprintf(err, errsz, "registry sync: %s",
		    reg_strerror(txn.err));
		goto done;
	}
	ok = sync_users(&txn, cfg, now, st) == 0 &&
	    reg_user_foreach(&txn, collect_user, &s) == 0 &&
	    reg_device_foreach(&txn, collect_device, &s) == 0;
	if (ok) {
		for (size_t i = 0; i < s.nusers; i++)
			if (reg_user_del(&txn, s.users[i]) == 0)
				st->users_removed++;
		/* A removed user's devices are not in the config either. */
		for (size_t i = 0; i < s.ndevices; i++)
			if (reg_device_del(&txn, &s.devices[i]) == 0 &&
			    reg_enroll_del(&txn, &s.devices[i]) == 0 &&
			    reg_event_purge(&txn, &s.devices[i]) == 0)
				st->devices_removed++;
		if (sync_devices(&txn, cfg, now, st) != 0)
			ok = 0;
	}
	if (s.nomem)
		txn.err = REG_ENOMEM;
	/*
	 * A step that failed outside the registry (no random bytes for a
	 * token) leaves no sticky error, but the sync is not whole: nothing
	 * of it may be committed.
	 */
	if (!ok && txn.err == REG_OK) {
		reg_txn_abort(&txn);
		snprintf(err, errsz, "registry sync failed (see the log), "
		    "nothing was changed");
		memset(st, 0, sizeof(*st));
		goto done;
	}
	if (reg_txn_commit(&txn) != 0) {
		snprintf(err, errsz, "registry sync: %s, nothing was changed",
		    reg_strerror(txn.err));
		memset(st, 0, sizeof(*st));
		goto done;
	}
	ret = 0;
done:
	free(s.names);
	free(s.macs);
	free(s.users);
	free(s.devices);
	return ret;
}
