/*
 * provboxctl - the admin's tool: checks the config, brings it into the
 * registry and shows what the registry holds.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"
#include "log.h"
#include "registry.h"
#include "sync.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG	SYSCONFDIR "/provbox/provbox.conf"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: provboxctl [-c config] command\n"
	    "commands:\n"
	    "  check   validate the config and print every error\n"
	    "  sync    bring users and devices from the config into the "
	    "registry\n"
	    "  show    print what the registry holds\n"
	    "  leases  print every lease: address, MAC, state, end, client\n");
	exit(2);
}

/* Loads the config, printing every error; NULL if it has any. */
static struct cfg *
load(const char *path, unsigned flags)
{
	struct cfg_errors	 errs;
	struct cfg		*cfg;
	char			 line[1024];

	if (cfg_load(path, flags, &cfg, &errs) != 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", cfg_error_format(&errs.v[i],
			    line, sizeof(line)));
		fprintf(stderr, "%s: %zu error%s\n", path, errs.n,
		    errs.n == 1 ? "" : "s");
		cfg_errors_free(&errs);
		return NULL;
	}
	return cfg;
}

static size_t
count_devices(const struct cfg *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nusers; i++)
		n += cfg->users[i].ndevices;
	return n;
}

static int
cmd_check(const char *path)
{
	struct cfg *cfg = load(path, 0);

	if (cfg == NULL)
		return 1;
	printf("%s: OK (%zu subnet%s, %zu vendor class%s, %zu user%s, "
	    "%zu device%s)\n", path, cfg->dhcp.nsubnets,
	    cfg->dhcp.nsubnets == 1 ? "" : "s", cfg->nvendors,
	    cfg->nvendors == 1 ? "" : "es", cfg->nusers,
	    cfg->nusers == 1 ? "" : "s", count_devices(cfg),
	    count_devices(cfg) == 1 ? "" : "s");
	cfg_free(cfg);
	return 0;
}

static struct reg *
open_registry(const struct cfg *cfg, unsigned flags)
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

static int
cmd_sync(const char *path)
{
	struct cfg		*cfg;
	struct reg		*reg = NULL;
	struct reg_sync_stats	 st;
	char			 err[512];
	int			 ret = 1;

	if ((cfg = load(path, CFG_NO_FILE_CHECKS)) == NULL)
		return 1;
	if ((reg = open_registry(cfg, 0)) == NULL)
		goto done;
	if (reg_sync(reg, cfg, time(NULL), &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "provboxctl: %s\n", err);
		goto done;
	}
	printf("registry %s: users %u added, %u changed, %u removed, "
	    "%u unchanged; devices %u added, %u changed, %u removed, "
	    "%u unchanged\n", cfg->registry_path, st.users_added,
	    st.users_changed, st.users_removed, st.users_unchanged,
	    st.devices_added, st.devices_changed, st.devices_removed,
	    st.devices_unchanged);
	ret = 0;
done:
	reg_close(reg);
	cfg_free(cfg);
	return ret;
}

static int
show_user(const struct reg_user *u, void *arg)
{
	char tok[32];

	(void)arg;
	printf("  %-16s %-24s sip %s@%s:%u  token %s\n", u->name,
	    u->display_name[0] ? u->display_name : "-", u->sip_user,
	    u->sip_server, u->sip_port,
	    u->token[0] ? log_redact(tok, sizeof(tok), u->token) : "revoked");
	return 0;
}

static int
show_device(const struct reg_device *d, void *arg)
{
	char mac[MAC_STR_LEN];

	(void)arg;
	printf("  %s  %-16s %-12s %s\n", mac_format(&d->mac, mac), d->user,
	    d->vendor, d->model[0] ? d->model : "-");
	return 0;
}

static int
show_lease(const struct reg_lease *l, void *arg)
{
	const time_t	*now = arg;
	char		 ip[IP4_STR_LEN], mac[MAC_STR_LEN], host[128];
	struct mac_addr	 m;

	memset(&m, 0, sizeof(m));
	if (l->hlen == 6)
		memcpy(m.b, l->chaddr, 6);
	printf("%-15s %s %-8s %+8lds %s\n", ip4_format(l->ip, ip),
	    l->hlen == 6 ? mac_format(&m, mac) : "-", lease_state_str(
	    (enum lease_state)l->state), (long)(l->expire - *now),
	    log_escape(host, sizeof(host), l->hostname, l->hostname_len));
	return 0;
}

static int
cmd_leases(const char *path)
{
	struct cfg	*cfg;
	struct reg	*reg = NULL;
	struct reg_txn	 txn;
	time_t		 now = time(NULL);
	int		 ret = 1;

	if ((cfg = load(path, CFG_NO_FILE_CHECKS)) == NULL)
		return 1;
	if ((reg = open_registry(cfg, REG_RDONLY)) == NULL)
		goto done;
	if (reg_txn_begin(reg, &txn, 1) != 0 ||
	    reg_lease_foreach(&txn, show_lease, &now) != 0) {
		fprintf(stderr, "provboxctl: %s\n", reg_strerror(txn.err));
		reg_txn_abort(&txn);
		goto done;
	}
	reg_txn_abort(&txn);
	ret = 0;
done:
	reg_close(reg);
	cfg_free(cfg);
	return ret;
}

static int
cmd_show(const char *path)
{
	struct cfg	*cfg;
	struct reg	*reg = NULL;
	struct reg_txn	 txn;
	int		 ret = 1;

	if ((cfg = load(path, CFG_NO_FILE_CHECKS)) == NULL)
		return 1;
	if ((reg = open_registry(cfg, REG_RDONLY)) == NULL)
		goto done;
	if (reg_txn_begin(reg, &txn, 1) != 0)
		goto fail;
	printf("registry %s (schema %u)\n", cfg->registry_path,
	    reg_schema_version(reg));
	printf("users (%ld):\n", reg_count(&txn, REG_T_USERS));
	if (reg_user_foreach(&txn, show_user, NULL) != 0)
		goto fail;
	printf("devices (%ld):\n", reg_count(&txn, REG_T_DEVICES));
	if (reg_device_foreach(&txn, show_device, NULL) != 0)
		goto fail;
	printf("leases: %ld\n", reg_count(&txn, REG_T_LEASES));
	if (txn.err != REG_OK)
		goto fail;
	reg_txn_abort(&txn);
	ret = 0;
	goto done;
fail:
	fprintf(stderr, "provboxctl: %s\n", reg_strerror(txn.err));
	reg_txn_abort(&txn);
done:
	reg_close(reg);
	cfg_free(cfg);
	return ret;
}

int
main(int argc, char *argv[])
{
	const char	*path = DEFAULT_CONFIG;
	int		 ch;

	log_init("provboxctl", 1, PB_LOG_WARNING);
	while ((ch = getopt(argc, argv, "c:h")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage();
	if (strcmp(argv[0], "check") == 0)
		return cmd_check(path);
	if (strcmp(argv[0], "sync") == 0)
		return cmd_sync(path);
	if (strcmp(argv[0], "show") == 0)
		return cmd_show(path);
	if (strcmp(argv[0], "leases") == 0)
		return cmd_leases(path);
	usage();
}
