/*
 * provboxctl - the admin's tool. It reads the same config as the daemons
 * and talks to the registry directly (its own LMDB environment):
 *
 *   check                 validate the config, print every error
 *   sync                  bring users and devices into the registry
 *   users | devices | leases   the registry's tables (ctl/list.c)
 *   url USER|MAC          the provisioning URL(s) a user or phone gets
 *   rotate USER           a new token; the old one stops working at once
 *   revoke USER           no token at all until rotated
 *   resync MAC|USER|--all [--reboot]   make phones fetch their files now
 *                         (ctl/resync_cmd.c); rotate USER --resync too
 *   status [MAC]          each daemon's state and counters (through its
 *                         control socket), or a phone's class, user,
 *                         lease(s), enrollment
 *   enroll MAC|USER|--all [--for D] [--close]   (ctl/enroll.c)
 *   device show MAC       a phone's record (--secrets: its passwords)
 *   device render MAC FILE  a file as the phone gets it
 *   device clear MAC      suspect -> new
 *   lease release|delete IP   free an address (ctl/lease.c)
 *   reload [--daemon D]   check the config, then reload the daemons and
 *                         report whether each took it (ctl/reload.c)
 *   ctl DAEMON COMMAND [JSON]  one control-socket command (ctl/client.c)
 *   certificate           create a self-signed TLS key and certificate at
 *                         the configured paths, if they are missing
 *                         (ctl/cert.c)
 *
 * Where a daemon runs, lease, reload and status go through its control
 * socket (common/ctlsock.h); where it does not, through the registry.
 * Every command prints text for people, or with --json one JSON document
 * (ctl/json.c) whose schema provboxctl(8) documents; errors go to stderr
 * either way.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cfg.h"
#include "ctl.h"
#include "enroll.h"
#include "log.h"
#include "registry.h"
#include "sync.h"
#include "secret.h"
#include "token.h"
#include "urltmpl.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG	SYSCONFDIR "/provbox/provbox.conf"

int	 ctl_json;
int	 ctl_secrets;
time_t	 ctl_now;

static void	usage(FILE *, int) __attribute__((noreturn));

/* The usage on out; exits with status (0 for --help, 2 for an error). */
static void
usage(FILE *out, int status)
{
	fprintf(out,
	    "usage: provboxctl [-c config] [--json] command [argument]\n"
	    "       provboxctl --version | --help\n"
	    "  check            validate the config; print every error\n"
	    "  paths            the config, registry and run directory the\n"
	    "                   config names (the systemd generator reads it)\n"
	    "  sync             bring users and devices into the registry\n"
	    "  users            users, their SIP accounts and tokens\n"
	    "  devices          phones: users, classes, leases, enrollment\n"
	    "  leases           every lease: address, MAC, state, end\n"
	    "  url USER|MAC     the provisioning URL a user's phones get\n"
	    "  rotate USER [--now] [--resync]\n"
	    "                   give USER a new token; the old one answers for\n"
	    "                   rotate_grace, pointing phones at the new one\n"
	    "                   (--now: it dies at once; --resync: then resync\n"
	    "                   USER's phones)\n"
	    "  revoke USER      take USER's token away until rotated\n"
	    "  resync MAC|USER|--all [--reboot]\n"
	    "                   send each phone's leased address a SIP NOTIFY\n"
	    "                   (check-sync) so it fetches its files now;\n"
	    "                   report each answer (exit 1 unless all 2xx)\n"
	    "  status           each daemon: running, uptime, last reload,\n"
	    "                   statistics; the registry's counts\n"
	    "  status MAC       what provbox knows of one phone: lease, last\n"
	    "                   fetch, enrollment state and recent events\n"
	    "  enroll MAC|USER|--all [--for DURATION]\n"
	    "                   open an enrollment window (default from\n"
	    "                   provisioning.enrollment.window); --close ends it\n"
	    "  device show MAC  a phone's record; --secrets (root): its admin\n"
	    "                   and SIP passwords\n"
	    "  device clear MAC end a device's suspect state\n"
	    "  device render MAC FILE\n"
	    "                   FILE as the phone gets it from its folder;\n"
	    "                   passwords empty unless --secrets (root)\n"
	    "  lease release IP end a lease now; its client may have the\n"
	    "                   address back (frees a declined address)\n"
	    "  lease delete IP  remove a lease record altogether\n"
	    "  reload [--daemon dhcpd|provisiond]\n"
	    "                   check the config, then reload both daemons\n"
	    "                   (or one); every error of a refused config\n"
	    "  ctl DAEMON COMMAND [JSON-ARGUMENTS]\n"
	    "                   send one command to a daemon's control socket\n"
	    "                   (ctl dhcpd list-commands lists them)\n"
	    "  seal             seal a secret read from standard input for the\n"
	    "                   config (users.conf, settings) with the\n"
	    "                   registry's key\n"
	    "  certificate      create a self-signed TLS key and certificate\n"
	    "                   where the config names them, if missing\n"
	    "--json prints each command's result as JSON (provboxctl(8)).\n");
	exit(status);
}

struct cfg *
ctl_load(const char *path, unsigned flags, json_t *errs)
{
	struct cfg_errors	 errs_v;
	struct cfg		*cfg;
	char			 line[1024];

	if (cfg_load(path, flags, &cfg, &errs_v) == 0)
		return cfg;
	for (size_t i = 0; i < errs_v.n; i++) {
		const struct cfg_error	*e = &errs_v.v[i];
		json_t			*o;

		fprintf(stderr, "%s\n", cfg_error_format(e, line,
		    sizeof(line)));
		if (errs == NULL)
			continue;
		o = jobj();
		jset(o, "file", jtext(e->file));
		jset(o, "line", e->line > 0 ? jint(e->line) : jnull());
		jset(o, "setting", jtext_or_null(e->setting));
		jset(o, "message", jtext(e->msg));
		jpush(errs, o);
	}
	fprintf(stderr, "%s: %zu error%s\n", path, errs_v.n,
	    errs_v.n == 1 ? "" : "s");
	cfg_errors_free(&errs_v);
	return NULL;
}

struct reg *
ctl_open_registry(const struct cfg *cfg, unsigned flags)
{
	struct reg	*reg;
	char		 err[512];

	if (reg_open(cfg->registry_path, cfg->registry_map_size, flags |
	    (cfg->registry_sync ? 0 : REG_NOSYNC), &reg, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "provboxctl: %s\n", err);
		return NULL;
	}
	return reg;
}

const char *
reltime(time_t t, char *buf, size_t sz)
{
	long long	 d = (long long)(t - ctl_now), a = d < 0 ? -d : d;
	const char	*unit = "s";

	if (t == 0)
		return "-";
	if (a < 5)
		return "now";
	if (a >= 172800) {
		a /= 86400;
		unit = "d";
	} else if (a >= 7200) {
		a /= 3600;
		unit = "h";
	} else if (a >= 120) {
		a /= 60;
		unit = "m";
	}
	snprintf(buf, sz, d > 0 ? "in %lld%s" : "%lld%s ago", a, unit);
	return buf;
}

/* Everything a command needs: config, registry, a read transaction. */
int
session_open(struct session *s, const char *path, int write)
{
	memset(s, 0, sizeof(*s));
	/* The templates are check's and reload's: not needed here. */
	if ((s->cfg = ctl_load(path, CFG_NO_FILE_CHECKS | CFG_NO_TEMPLATES,
	    NULL)) == NULL)
		return -1;
	if ((s->reg = ctl_open_registry(s->cfg, write ? 0 : REG_RDONLY)) ==
	    NULL || reg_txn_begin(s->reg, &s->txn, !write) != 0) {
		if (s->reg != NULL)
			fprintf(stderr, "provboxctl: %s\n",
			    reg_strerror(s->txn.err));
		reg_close(s->reg);
		cfg_free(s->cfg);
		return -1;
	}
	return 0;
}

int
session_close(struct session *s, int ok)
{
	int ret = ok ? 0 : 1;

	if (ok && !s->txn.rdonly && reg_txn_commit(&s->txn) != 0) {
		fprintf(stderr, "provboxctl: %s\n", reg_strerror(s->txn.err));
		ret = 1;
	} else if (s->txn.txn != NULL) {
		if (ok && s->txn.err != REG_OK) {
			fprintf(stderr, "provboxctl: %s\n",
			    reg_strerror(s->txn.err));
			ret = 1;
		}
		reg_txn_abort(&s->txn);
	}
	reg_close(s->reg);
	cfg_free(s->cfg);
	return ret;
}

static size_t
count_devices(const struct cfg *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nusers; i++)
		n += cfg->users[i].ndevices;
	return n;
}

/*
 * paths: the files and directories the config names, one "what path" line
 * each (config, registry, run_dir), or with --json one object of them.
 * provbox-generator (systemd/provbox-generator.in) reads the text form.
 */
static int
cmd_paths(const char *path)
{
	struct cfg	*cfg;
	json_t		*o;
	int		 ret = 0;

	/* Run by the systemd generator at boot: a template error is for
	 * check to report, not a reason to lose the sandbox's paths. */
	if ((cfg = ctl_load(path, CFG_NO_FILE_CHECKS | CFG_NO_TEMPLATES,
	    NULL)) == NULL)
		return 1;
	if (ctl_json) {
		o = jobj();
		jset(o, "config", jtext(path));
		jset(o, "registry", jtext(cfg->registry_path));
		jset(o, "run_dir", jtext(cfg->run_dir));
		ret = json_print(o) != 0;
	} else
		printf("config %s\nregistry %s\nrun_dir %s\n", path,
		    cfg->registry_path, cfg->run_dir);
	cfg_free(cfg);
	return ret;
}

/*
 * check: the OK line, or every error and exit 1. With --json one object
 * either way: config, ok, errors, and the counts (null when not ok).
 */
/*
 * Opens cfg's sealed values with reg's key, printing (and, with errs,
 * listing) each that does not open. 0 or -1.
 */
int
ctl_unseal(const struct reg *reg, struct cfg *cfg, json_t *errs)
{
	struct cfg_errors	ue;
	char			line[1024];
	int			ret;

	memset(&ue, 0, sizeof(ue));
	if (!reg_has_secret_key(reg)) {
		if (!cfg_has_sealed(cfg))
			return 0;
		fprintf(stderr, "provboxctl: the config holds sealed values, "
		    "and only root can read the registry's key to open "
		    "them\n");
		return -1;
	}
	ret = cfg_unseal(cfg, reg_config_opener, reg, &ue);
	for (size_t i = 0; i < ue.n; i++) {
		fprintf(stderr, "%s\n", cfg_error_format(&ue.v[i], line,
		    sizeof(line)));
		if (errs != NULL) {
			json_t *o = jobj();

			jset(o, "file", jnull());
			jset(o, "line", jnull());
			jset(o, "setting", jnull());
			jset(o, "message", jtext(ue.v[i].msg));
			jpush(errs, o);
		}
	}
	cfg_errors_free(&ue);
	return ret;
}

/*
 * check with sealed values: root opens them with the registry's key (a
 * value sealed on another box is an error); anyone else is told they
 * were not checked. 0 or -1.
 */
static int
check_sealed(struct cfg *cfg, json_t *errs)
{
	struct reg	*reg;
	int		 ret;

	if (geteuid() != 0) {
		fprintf(stderr, "provboxctl: note: sealed values not opened "
		    "(only root can read the registry's key)\n");
		return 0;
	}
	if ((reg = ctl_open_registry(cfg, REG_RDONLY)) == NULL)
		return -1;
	ret = ctl_unseal(reg, cfg, errs);
	reg_close(reg);
	return ret;
}

/*
 * seal: a secret read from standard input (without echo on a terminal,
 * never from the command line, which ps shows) sealed with the
 * registry's key, for users.conf or a settings group.
 */
static int
cmd_seal(const char *path)
{
	struct cfg	*cfg;
	struct reg	*reg = NULL;
	struct termios	 t, quiet;
	char		 in[REG_CONFIG_SECRET_MAX + 2], out[REG_SEALED_MAX + 1];
	int		 tty = isatty(STDIN_FILENO), ret = 1;
	size_t		 len;

	if (geteuid() != 0) {
		fprintf(stderr, "provboxctl: seal: only root can read the "
		    "registry's key\n");
		return 1;
	}
	if ((cfg = ctl_load(path, CFG_NO_FILE_CHECKS | CFG_NO_TEMPLATES,
	    NULL)) == NULL)
		return 1;
	if ((reg = ctl_open_registry(cfg, 0)) == NULL)
		goto done;
	if (tty) {
		fprintf(stderr, "secret to seal: ");
		tcgetattr(STDIN_FILENO, &t);
		quiet = t;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(in, sizeof(in), stdin) == NULL)
		in[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
		fputc('\n', stderr);
	}
	len = strcspn(in, "\r\n");
	if (in[len] == '\0' && len == sizeof(in) - 1) {
		fprintf(stderr, "provboxctl: seal: longer than %d bytes\n",
		    REG_CONFIG_SECRET_MAX);
		goto done;
	}
	in[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f)
			len = 0;
	if (len == 0) {
		fprintf(stderr, "provboxctl: seal: an empty secret, or one "
		    "with a control character\n");
		goto done;
	}
	if (reg_config_seal(reg, in, out, sizeof(out)) != 0) {
		fprintf(stderr, "provboxctl: seal: cannot seal\n");
		goto done;
	}
	printf("%s\n", out);
	ret = 0;
done:
	OPENSSL_cleanse(in, sizeof(in));
	OPENSSL_cleanse(out, sizeof(out));
	reg_close(reg);
	cfg_free(cfg);
	return ret;
}

static int
cmd_check(const char *path)
{
	struct cfg	*cfg;
	json_t		*o = NULL, *errs = NULL;
	int		 ret;

	if (ctl_json) {
		o = jobj();
		errs = jarr();
	}
	cfg = ctl_load(path, 0, errs);
	ret = cfg != NULL ? 0 : 1;
	if (cfg != NULL && cfg_has_sealed(cfg) && check_sealed(cfg, errs) != 0) {
		cfg_free(cfg);
		cfg = NULL;
		ret = 1;
	}
	if (ctl_json) {
		jset(o, "config", jtext(path));
		jset(o, "ok", jbool(cfg != NULL));
		jset(o, "errors", errs);
		jset(o, "subnets", cfg ? jint((long long)cfg->dhcp.nsubnets) :
		    jnull());
		jset(o, "vendor_classes", cfg ? jint((long long)cfg->nvendors) :
		    jnull());
		jset(o, "users", cfg ? jint((long long)cfg->nusers) : jnull());
		jset(o, "devices", cfg ? jint((long long)count_devices(cfg)) :
		    jnull());
		if (json_print(o) != 0)
			ret = 1;
	} else if (cfg != NULL)
		printf("%s: OK (%zu subnet%s, %zu vendor class%s, %zu user%s, "
		    "%zu device%s)\n", path, cfg->dhcp.nsubnets,
		    cfg->dhcp.nsubnets == 1 ? "" : "s", cfg->nvendors,
		    cfg->nvendors == 1 ? "" : "es", cfg->nusers,
		    cfg->nusers == 1 ? "" : "s", count_devices(cfg),
		    count_devices(cfg) == 1 ? "" : "s");
	cfg_free(cfg);
	return ret;
}

/* One table's sync counts as a JSON object. */
static json_t *
sync_counts(unsigned added, unsigned changed, unsigned removed,
    unsigned unchanged)
{
	json_t *o = jobj();

	jset(o, "added", jint(added));
	jset(o, "changed", jint(changed));
	jset(o, "removed", jint(removed));
	jset(o, "unchanged", jint(unchanged));
	return o;
}

static int
cmd_sync(const char *path)
{
	struct cfg		*cfg;
	struct reg		*reg = NULL;
	struct reg_sync_stats	 st;
	char			 err[512];
	int			 ret = 1;

	if ((cfg = ctl_load(path, CFG_NO_FILE_CHECKS, NULL)) == NULL)
		return 1;
	if ((reg = ctl_open_registry(cfg, 0)) == NULL || ctl_unseal(reg,
	    cfg, NULL) != 0)
		goto done;
	if (reg_sync(reg, cfg, ctl_now, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "provboxctl: %s\n", err);
		goto done;
	}
	ret = 0;
	if (ctl_json) {
		json_t *o = jobj();

		jset(o, "registry", jtext(cfg->registry_path));
		jset(o, "users", sync_counts(st.users_added, st.users_changed,
		    st.users_removed, st.users_unchanged));
		jset(o, "devices", sync_counts(st.devices_added,
		    st.devices_changed, st.devices_removed,
		    st.devices_unchanged));
		if (json_print(o) != 0)
			ret = 1;
	} else
		printf("registry %s: users %u added, %u changed, %u removed, "
		    "%u unchanged; devices %u added, %u changed, %u removed, "
		    "%u unchanged\n", cfg->registry_path, st.users_added,
		    st.users_changed, st.users_removed, st.users_unchanged,
		    st.devices_added, st.devices_changed, st.devices_removed,
		    st.devices_unchanged);
done:
	reg_close(reg);
	cfg_free(cfg);
	return ret;
}

/* One filled option: printed, or with arr an object pushed on it. */
static void
put_option(json_t *arr, unsigned code, int sub, const char *value)
{
	json_t *o;

	if (arr == NULL) {
		if (sub < 0)
			printf("  option %u: %s\n", code, value);
		else
			printf("  option %u.%d: %s\n", code, sub, value);
		return;
	}
	o = jobj();
	jset(o, "code", jint(code));
	jset(o, "suboption", sub < 0 ? jnull() : jint(sub));
	jset(o, "value", jtext(value));
	jpush(arr, o);
}

/*
 * The class options a registered phone is given, filled: printed, or with
 * obj set as its keys options and options_while_enrolling. DHCP answers
 * are public, so in a token class without client certificates they carry
 * a first-access token, and only while the phone enrolls.
 */
static void
url_options(const struct cfg *cfg, const struct cfg_vendor *v,
    const struct reg_user *u, const struct reg_device *d, json_t *obj)
{
	struct tmpl_vars	 vars;
	char			 mac[MAC_PLAIN_LEN], MAC[MAC_PLAIN_LEN];
	char			 out[1024];
	json_t			*arr = obj != NULL ? jarr() : NULL;
	int			 enrolling = 0;

	memset(&vars, 0, sizeof(vars));
	vars.base_url = cfg->prov.base_url;
	vars.token = v->mode == PROV_MODE_TOKEN ? u->token : NULL;
	if (v->mode == PROV_MODE_TOKEN && !v->client_cert) {
		vars.token = "<first-access-token>";
		enrolling = 1;
		if (obj == NULL)
			printf("  DHCP options, only while the phone is "
			    "enrolling (provboxctl enroll):\n");
	}
	vars.mac = mac_format_plain(&d->mac, mac, 0);
	vars.mac_upper = mac_format_plain(&d->mac, MAC, 1);
	vars.model = d->model;
	vars.vendor = v->name;
	for (size_t i = 0; i < v->noptions; i++) {
		const struct cfg_option *o = &v->options[i];

		if (o->tmpl != NULL && tmpl_expand(o->tmpl, &vars, out,
		    sizeof(out)) >= 0)
			put_option(arr, o->code, -1, out);
		for (size_t k = 0; k < o->nsub; k++)
			if (o->sub[k].tmpl != NULL && tmpl_expand(
			    o->sub[k].tmpl, &vars, out, sizeof(out)) >= 0)
				put_option(arr, o->code, (int)o->sub[k].code,
				    out);
	}
	if (obj != NULL) {
		jset(obj, "options", arr);
		jset(obj, "options_while_enrolling", jbool(enrolling));
	}
}

/*
 * url USER|MAC: the user's folder URL (the flat folder for a legacy
 * class) and, given a MAC, the DHCP options its phone is given. --json:
 * user, mac, class, legacy, url, options, options_while_enrolling.
 */
static int
cmd_url(const char *path, const char *who)
{
	struct session		 s;
	struct reg_user		 u;
	struct reg_device	 d;
	struct mac_addr		 mac;
	const struct cfg_vendor	*v = NULL;
	char			 url[1024], m[MAC_STR_LEN];
	json_t			*o = NULL;
	int			 ok = 0, r, legacy, bymac = 0;

	if (session_open(&s, path, 0) != 0)
		return 1;
	memset(&u, 0, sizeof(u));
	if (mac_parse(who, &mac) == 0) {
		if ((r = reg_device_get(&s.txn, &mac, &d)) != 0) {
			fprintf(stderr, "provboxctl: %s is not in the "
			    "registry (is it in users.conf? run sync)\n", who);
			goto done;
		}
		v = cfg_vendor_find(s.cfg, d.vendor);
		who = d.user;
		bymac = 1;
	}
	if ((r = reg_user_get(&s.txn, who, &u)) != 0) {
		fprintf(stderr, "provboxctl: no user %s in the registry\n",
		    who);
		goto done;
	}
	if (u.secrets_sealed && (v == NULL || v->mode != PROV_MODE_LEGACY)) {
		fprintf(stderr, "provboxctl: tokens are sealed with %s/%s, "
		    "which only root and the daemons' user may read\n",
		    s.cfg->registry_path, SECRET_KEY_FILE);
		goto done;
	}
	legacy = v != NULL && v->mode == PROV_MODE_LEGACY;
	if (!legacy && u.token[0] == '\0') {
		fprintf(stderr, "provboxctl: %s's token is revoked (provboxctl "
		    "rotate %s gives a new one)\n", u.name, u.name);
		goto done;
	}
	cfg_folder_url(s.cfg, legacy ? "" : u.token, url, sizeof(url));
	if (ctl_json) {
		o = jobj();
		jset(o, "user", jtext(u.name));
		jset(o, "mac", bymac ? jtext(mac_format(&mac, m)) : jnull());
		jset(o, "class", bymac ? jtext(d.vendor) : jnull());
		jset(o, "legacy", jbool(legacy));
		jset(o, "url", jtext(url));
		if (v != NULL)
			url_options(s.cfg, v, &u, &d, o);
		else {
			jset(o, "options", jnull());
			jset(o, "options_while_enrolling", jnull());
		}
		ok = json_print(o) == 0;
		goto done;
	}
	if (legacy)
		printf("%s (flat folder: class %s is legacy)\n", url, v->name);
	else
		printf("%s\n", url);
	if (v != NULL)
		url_options(s.cfg, v, &u, &d, NULL);
	ok = 1;
done:
	OPENSSL_cleanse(url, sizeof(url));
	reg_user_clear(&u);
	return session_close(&s, ok);
}

struct rot_note {
	struct reg_txn	*txn;
	const char	*user;
	const char	*detail;
};

/* One event in the story of each of a user's devices. */
static int
rot_note(const struct reg_device *d, void *arg)
{
	struct rot_note		*rn = arg;
	struct reg_event	 ev;

	if (strcmp(d->user, rn->user) != 0)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.mac = d->mac;
	ev.time = ctl_now;
	ev.kind = EV_ROTATED;
	snprintf(ev.detail, sizeof(ev.detail), "%s", rn->detail);
	return reg_event_add(rn->txn, &ev) == 0 ? 0 : -1;
}

/*
 * rotate (a new token; 2: the old one dies at once, no grace) or revoke
 * (0: none) a user's token.
 */
static int
cmd_token(const char *path, const char *who, int rotate, int resync)
{
	struct session	s;
	struct reg_user	u;
	char		url[1024];
	unsigned	grace = 0;
	int64_t		old_until = 0;
	int		ok = 0, ret;

	if (session_open(&s, path, 1) != 0)
		return 1;
	memset(&u, 0, sizeof(u));
	url[0] = '\0';
	if (reg_user_get(&s.txn, who, &u) != 0) {
		fprintf(stderr, "provboxctl: no user %s in the registry\n",
		    who);
		goto done;
	}
	/*
	 * Phones pinned the old URL: it keeps answering for the grace, with
	 * files that pin the new one. A second rotation ends the first's.
	 */
	memcpy(u.old_token, u.token, sizeof(u.old_token));
	grace = rotate == 2 ? 0 : s.cfg->prov.enroll.rotate_grace;
	u.old_until = rotate && u.old_token[0] != '\0' && grace > 0 ?
	    ctl_now + (time_t)grace : 0;
	if (!rotate || u.old_until == 0)
		OPENSSL_cleanse(u.old_token, sizeof(u.old_token));
	if (rotate && token_generate(u.token) != 0) {
		fprintf(stderr, "provboxctl: the random number generator "
		    "failed\n");
		goto done;
	}
	if (!rotate)
		u.token[0] = '\0';
	u.token_created = ctl_now;
	if (reg_user_put(&s.txn, &u) != 0)
		goto done;
	{
		char		 detail[96];
		struct rot_note	 rn = { &s.txn, u.name, detail };

		if (!rotate)
			snprintf(detail, sizeof(detail), "token revoked");
		else if (u.old_until != 0)
			snprintf(detail, sizeof(detail), "token rotated; the "
			    "old URL answers for %us", grace);
		else
			snprintf(detail, sizeof(detail), "token rotated");
		if (reg_device_foreach(&s.txn, rot_note, &rn) != 0)
			goto done;
	}
	if (rotate)
		cfg_folder_url(s.cfg, u.token, url, sizeof(url));
	old_until = (int64_t)u.old_until;
	ok = 1;
done:
	reg_user_clear(&u);
	/* Nothing is said to have happened before the commit lands. */
	if ((ret = session_close(&s, ok)) == 0 && ok && ctl_json) {
		json_t *o = jobj();

		jset(o, "user", jtext(who));
		jset(o, "action", jtext(rotate ? "rotated" : "revoked"));
		jset(o, "url", rotate ? jtext(url) : jnull());
		jset(o, "old_url_until", jtime(old_until));
		/* One document: the resync's answers are a key of it. */
		if (resync && cmd_resync(path, who, 0, o) != 0)
			ret = 1;
		if (json_print(o) != 0)
			ret = 1;
	} else if (ret == 0 && ok) {
		if (rotate && grace > 0)
			printf("%s: new token. The old URL answers for %us "
			    "more, with files that point each phone at the new "
			    "one; a phone's first fetch from the new URL closes "
			    "the old one for it:\n%s\n", who, grace, url);
		else if (rotate)
			printf("%s: new token; the old one no longer works. "
			    "Phones that pinned it must be enrolled again:\n"
			    "%s\n", who, url);
		else
			printf("%s: token revoked; the folder is closed until "
			    "provboxctl rotate %s.\n", who, who);
		fflush(stdout);
		/* After the commit: the phones fetch from the new state. */
		if (resync && cmd_resync(path, who, 0, NULL) != 0)
			ret = 1;
	}
	OPENSSL_cleanse(url, sizeof(url));
	return ret;
}

/* status MAC as one JSON object (provboxctl(8)); the exit status. */
static int
status_json(struct session *s, const struct mac_addr *mac)
{
	struct reg_device	 d;
	struct reg_fetch	 f;
	uint32_t		 ips[8];
	char			 m[MAC_STR_LEN], ip[IP4_STR_LEN];
	json_t			*o = jobj(), *leases = jarr(), *lf;
	int			 n, r, ok;

	r = reg_device_get(&s->txn, mac, &d);
	jset(o, "mac", jtext(mac_format(mac, m)));
	jset(o, "registered", jbool(r == 0));
	jset(o, "user", r == 0 ? jtext(d.user) : jnull());
	jset(o, "class", r == 0 ? jtext(d.vendor) : jnull());
	jset(o, "model", r == 0 ? jtext_or_null(d.model) : jnull());
	n = reg_lease_ips_by_mac(&s->txn, mac, ips, 8);
	for (int i = 0; i < n && i < 8; i++) {
		struct reg_lease	 l;
		json_t			*lo;

		if (reg_lease_get(&s->txn, ips[i], &l) != 0)
			continue;
		lo = jobj();
		jset(lo, "address", jtext(ip4_format(l.ip, ip)));
		jset(lo, "state", jtext(lease_state_str(
		    (enum lease_state)l.state)));
		jset(lo, "ends", jint((long long)l.expire));
		jpush(leases, lo);
	}
	jset(o, "leases", leases);
	if (reg_fetch_get(&s->txn, mac, &f) == 0) {
		lf = jobj();
		jset(lf, "time", jint((long long)f.time));
		jset(lf, "ip", f.ip != 0 ? jtext(ip4_format(f.ip, ip)) :
		    jnull());
		/* The file name is what the client asked for. */
		jset(lf, "file", jbytes(f.file, strnlen(f.file,
		    sizeof(f.file))));
		jset(lf, "status", jint(f.status));
		jset(lf, "refused", jtext_or_null(f.refused));
		jset(o, "last_fetch", lf);
	} else
		jset(o, "last_fetch", jnull());
	status_enroll(s, mac, o);
	ok = json_print(o) == 0;
	return session_close(s, ok);
}

/*
 * status MAC: class, user, model, each lease of the MAC, the last fetch
 * from provisiond and the enrollment story (ctl/enroll.c).
 */
static int
cmd_status(const char *path, const char *arg)
{
	struct session		 s;
	struct reg_device	 d;
	struct reg_fetch	 f;
	struct mac_addr		 mac;
	uint32_t		 ips[8];
	char			 m[MAC_STR_LEN], ip[IP4_STR_LEN], when[32];
	int			 n, r;

	if (mac_parse(arg, &mac) != 0) {
		fprintf(stderr, "provboxctl: %s is not a MAC address\n", arg);
		return 2;
	}
	if (session_open(&s, path, 0) != 0)
		return 1;
	if (ctl_json)
		return status_json(&s, &mac);
	mac_format(&mac, m);
	if (reg_device_get(&s.txn, &mac, &d) == 0)
		printf("%s: class %s, user %s%s%s\n", m, d.vendor, d.user,
		    d.model[0] ? ", model " : "", d.model);
	else
		printf("%s: not registered (no user has it in users.conf)\n",
		    m);
	n = reg_lease_ips_by_mac(&s.txn, &mac, ips, 8);
	if (n <= 0)
		printf("  lease: none\n");
	for (int i = 0; i < n && i < 8; i++) {
		struct reg_lease l;

		if (reg_lease_get(&s.txn, ips[i], &l) != 0)
			continue;
		printf("  lease: %s %s, %s %s\n", ip4_format(l.ip, ip),
		    lease_state_str((enum lease_state)l.state),
		    l.expire > ctl_now ? "ends" : "ended", reltime(l.expire,
		    when, sizeof(when)));
	}
	if ((r = reg_fetch_get(&s.txn, &mac, &f)) == 0) {
		char fip[IP4_STR_LEN];

		printf("  last fetch: %s from %s: %s, %u%s%s\n",
		    reltime((time_t)f.time, when, sizeof(when)),
		    f.ip ? ip4_format(f.ip, fip) : "(IPv6)", f.file,
		    f.status, f.refused[0] ? ", refused by " : "",
		    f.refused);
	} else if (r == REG_NOTFOUND)
		printf("  last fetch: none recorded\n");
	status_enroll(&s, &mac, NULL);
	return session_close(&s, 1);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "secrets", no_argument, NULL, 'S' },
		{ "config", required_argument, NULL, 'c' },
		{ "all", no_argument, NULL, 'a' },
		{ "close", no_argument, NULL, 'C' },
		{ "for", required_argument, NULL, 'f' },
		{ "now", no_argument, NULL, 'N' },
		{ "daemon", required_argument, NULL, 'D' },
		{ "reboot", no_argument, NULL, 'R' },
		{ "resync", no_argument, NULL, 'Y' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char		*path = DEFAULT_CONFIG, *cmd, *daemon = NULL;
	struct enroll_args	 ea = { 0, 0, 0 };
	int			 now_flag = 0, reboot = 0, resync = 0;
	long			 secs;
	int			 ch;

	log_init("provboxctl", 1, PB_LOG_WARNING);
	ctl_now = time(NULL);
	while ((ch = getopt_long(argc, argv, "c:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'j':
			ctl_json = 1;
			break;
		case 'S':
			ctl_secrets = 1;
			break;
		case 'a':
			ea.all = 1;
			break;
		case 'C':
			ea.close = 1;
			break;
		case 'N':
			now_flag = 1;
			break;
		case 'D':
			daemon = optarg;
			break;
		case 'R':
			reboot = 1;
			break;
		case 'Y':
			resync = 1;
			break;
		case 'f':
			if ((secs = parse_duration(optarg)) < 60) {
				fprintf(stderr, "provboxctl: --for %s: a "
				    "duration of 60s to 30d, e.g. 90m, 2h, 1d\n",
				    optarg);
				return 2;
			}
			ea.seconds = (unsigned)secs;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		case 'V':
			printf("provboxctl %s\n", PB_VERSION);
			return 0;
		default:
			usage(stderr, 2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(stderr, 2);
	cmd = argv[0];
	if (argc == 1) {
		if (strcmp(cmd, "check") == 0)
			return cmd_check(path);
		if (strcmp(cmd, "paths") == 0)
			return cmd_paths(path);
		if (strcmp(cmd, "sync") == 0)
			return cmd_sync(path);
		if (strcmp(cmd, "seal") == 0)
			return cmd_seal(path);
		if (strcmp(cmd, "users") == 0 || strcmp(cmd, "show") == 0)
			return cmd_users(path);
		if (strcmp(cmd, "devices") == 0)
			return cmd_devices(path);
		if (strcmp(cmd, "leases") == 0)
			return cmd_leases(path);
		if (strcmp(cmd, "reload") == 0)
			return cmd_reload(path, daemon);
		if (strcmp(cmd, "status") == 0)
			return cmd_status_all(path);
		if (strcmp(cmd, "certificate") == 0)
			return cmd_certificate(path);
		if (strcmp(cmd, "enroll") == 0 && ea.all)
			return cmd_enroll(path, NULL, &ea);
		if (strcmp(cmd, "resync") == 0 && ea.all)
			return cmd_resync(path, NULL, reboot, NULL);
	} else if (argc == 2) {
		if (strcmp(cmd, "enroll") == 0 && !ea.all)
			return cmd_enroll(path, argv[1], &ea);
		if (strcmp(cmd, "url") == 0)
			return cmd_url(path, argv[1]);
		if (strcmp(cmd, "rotate") == 0)
			return cmd_token(path, argv[1], now_flag ? 2 : 1,
			    resync);
		if (strcmp(cmd, "revoke") == 0)
			return cmd_token(path, argv[1], 0, 0);
		if (strcmp(cmd, "resync") == 0 && !ea.all)
			return cmd_resync(path, argv[1], reboot, NULL);
		if (strcmp(cmd, "status") == 0)
			return cmd_status(path, argv[1]);
	} else if (argc == 3 && strcmp(cmd, "device") == 0)
		return cmd_device(path, argv[1], argv[2]);
	else if (argc == 4 && strcmp(cmd, "device") == 0 &&
	    strcmp(argv[1], "render") == 0)
		return cmd_render(path, argv[2], argv[3]);
	else if (argc == 3 && strcmp(cmd, "lease") == 0)
		return cmd_lease(path, argv[1], argv[2]);
	if ((argc == 3 || argc == 4) && strcmp(cmd, "ctl") == 0)
		return cmd_ctl(path, argv[1], argv[2], argc == 4 ? argv[3] :
		    NULL);
	usage(stderr, 2);
}
