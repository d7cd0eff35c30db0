/*
 * cfg.h - the provbox configuration, loaded from libconfig into plain C
 * structs in one place (cfg.c, cfg_dhcp.c, cfg_prov.c).
 *
 * cfg_load() reads the whole file (with its @includes), validates all of it
 * and returns either a complete struct cfg or every error found, each with
 * file:line, the setting and what would be valid. A config with any error is
 * never returned, so nothing can act on half of it.
 *
 * Relative paths in the file are taken relative to the directory of the main
 * config file. IPv4 addresses are in host byte order.
 */
#ifndef PB_CFG_H
#define PB_CFG_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "dhcpopt.h"
#include "log.h"
#include "tz.h"

/* Limits on what the users table may hold (also the registry's). */
#define CFG_NAME_MAX		64	/* user and vendor names, models */
#define CFG_DISPLAY_MAX		128
#define CFG_SIP_MAX		128	/* SIP user and password */
#define CFG_HOST_MAX		255
#define CFG_OPT_TEXT_MAX	1024	/* a string option's template */
/*
 * A secret written sealed ("sealed:" + base64, provboxctl seal): opened
 * with the registry's key by cfg_unseal() before it is used.
 */
#define CFG_SEALED_PREFIX	"sealed:"
#define CFG_SEALED_MAX		400

#define CFG_KEYS_MAX		128	/* line/BLF/speed-dial keys a scope */
#define CFG_ACCOUNTS_MAX	16	/* SIP accounts of a user */
#define CFG_VARS_MAX		256	/* free variables a scope */
#define CFG_NTP_MAX		4

/* A programmable key of the phone (settings.keys). */
enum cfg_key_type {
	CFG_KEY_LINE = 0,	/* a line key for an account */
	CFG_KEY_BLF,		/* busy lamp field: watches value */
	CFG_KEY_SPEED_DIAL,	/* dials value */
};
const char	*cfg_key_type_str(enum cfg_key_type t);

struct cfg_key {
	enum cfg_key_type	 type;
	char			*value;		/* may be NULL (line) */
	char			*label;		/* may be NULL */
	unsigned		 account;	/* 1-based */
};

/* An admin-defined variable (settings.vars): vars.<name> in templates. */
struct cfg_var {
	char			*name;
	char			*value;
};

/*
 * The named settings of one scope (common/settings.h merges them:
 * defaults, vendor class, model, user, device; the nearest that sets a
 * setting wins). NULL / has_* 0: this scope does not set it. A list
 * (ntp_servers, keys) is taken whole from the nearest scope that has
 * one; vars merge by name.
 */
struct cfg_settings {
	char			*timezone;	/* IANA name */
	struct tz_info		*tz;		/* looked up when loaded */
	/* tz in every style (tz_format()), NULL where it cannot say it. */
	char			**tz_text;
	char			*language;	/* ISO 639-1 */
	char			*tone_zone;	/* ISO 3166-1 alpha-2 */
	char			*date_format;	/* "dmy", "mdy", "ymd" */
	char			*time_format;	/* "12", "24" */
	char			*admin_password;
	char			*user_password;
	char			*sip_transport;	/* "udp", "tcp", "tls" */
	unsigned		 sip_port;	/* 0: not set */
	int			 has_voice_vlan;
	unsigned		 voice_vlan;	/* 0: none */
	int			 has_vendor_cloud;
	int			 vendor_cloud;
	int			 has_ntp;
	char			**ntp_servers;
	size_t			 nntp_servers;
	int			 has_keys;
	struct cfg_key		*keys;
	size_t			 nkeys;
	struct cfg_var		*vars;
	size_t			 nvars;
};

/* One more SIP account of a user (the first is the user's sip group). */
struct cfg_account {
	char			*user;
	char			*auth_name;	/* NULL: user */
	char			*password;
	char			*display_name;	/* NULL: the user's */
	char			*label;		/* NULL: display name */
	char			*server;	/* NULL: the first account's */
	unsigned		 port;		/* 0: the first account's */
	char			*transport;	/* NULL: the settings' */
};

/* The office phone book (provbox.conf: phonebook). */
#define CFG_BOOK_MAX		10000	/* entries listed by the admin */
#define CFG_BOOK_NUMBER_MAX	64

struct cfg_book_entry {
	char			*name;
	char			*number;
};

struct cfg_phonebook {
	int			 users;		/* list every user */
	struct cfg_book_entry	*entries;	/* and these */
	size_t			 nentries;
};

/* A model of a vendor class (vendors.conf: models = ( ... )). */
struct cfg_model {
	char			*name;		/* matched ignoring case */
	char			*firmware;	/* a file in static_dir; NULL */
	struct cfg_settings	 settings;
};

enum prov_mode {
	PROV_MODE_TOKEN = 0,	/* a per-user secret folder */
	PROV_MODE_LEGACY,	/* the guarded flat folder */
};
const char	*prov_mode_str(enum prov_mode mode);

/*
 * One configured DHCP option. A string option whose text uses placeholders
 * is kept as a template (`tmpl`, filled per client); every other value is
 * encoded once at load time into data/len. Sub-options (43, ...) nest.
 */
struct cfg_option {
	uint8_t			 code;
	enum opt_type		 type;
	char			*tmpl;		/* non-NULL: a template */
	int			 tmpl_vars;	/* enum tmpl_var bits it uses */
	uint8_t			*data;		/* encoded value otherwise */
	size_t			 len;
	/*
	 * An ip or ip-list option: bit i set when address i is
	 * "${server_ip}", filled per reply (0.0.0.0 in data meanwhile).
	 */
	uint64_t		 server_ip_slots;
	struct cfg_option	*sub;		/* OPT_T_SUBOPTS */
	size_t			 nsub;
};

struct cfg_pool {
	uint32_t	 start;
	uint32_t	 end;		/* inclusive */
};

struct cfg_reservation {
	struct mac_addr	 mac;
	uint32_t	 ip;
	char		*hostname;	/* may be NULL */
};

struct cfg_subnet {
	uint32_t		 network;
	unsigned		 prefix;
	uint32_t		 mask;
	char			*interface;	/* NULL: any, by address */
	struct cfg_pool		*pools;
	size_t			 npools;
	struct cfg_reservation	*reservations;
	size_t			 nreservations;
	uint32_t		*routers;
	size_t			 nrouters;
	uint32_t		*dns;
	size_t			 ndns;
	char			*domain;
	uint32_t		 lease_time;	/* 0: the dhcp default */
	/* 0: as the dhcp group says (cfg_dhcp). */
	uint32_t		 renew_time;
	uint32_t		 rebind_time;
	uint32_t		 next_server;
	struct cfg_option	*options;
	size_t			 noptions;
};

/*
 * Admission limits (dhcp.limits): how many DISCOVERs that would take a new
 * address for a client the registry does not know (no device record, no
 * reservation, no lease of its own) are admitted per window: per MAC, per
 * relay (giaddr and Option 82 circuit-id) and per receiving interface, and
 * how many DECLINEs per client and per source. 0: no limit.
 */
struct cfg_dhcp_limits {
	unsigned		 window;	/* seconds */
	unsigned		 per_mac;
	unsigned		 per_relay;
	unsigned		 per_interface;
	unsigned		 declines;
};

struct cfg_dhcp {
	char			**interfaces;
	size_t			 ninterfaces;
	int			 authoritative;
	uint32_t		 lease_time;
	uint32_t		 min_lease_time;
	uint32_t		 max_lease_time;
	uint32_t		 decline_time;	/* quarantine after DECLINE */
	uint32_t		 offer_time;	/* an OFFER holds its address */
	uint32_t		 offer_time_low;	/* ... when the pool runs
							 * low */
	/* T1 and T2 (Options 58, 59); 0: half and 7/8 of the lease. */
	uint32_t		 renew_time;
	uint32_t		 rebind_time;
	uint32_t		 next_server;	/* siaddr; 0: none */
	/* Percent of each pool that only registered devices may take. */
	unsigned		 reserve;
	/* Percent of each pool that DECLINEs may set aside at most. */
	unsigned		 decline_max_share;
	/* A DECLINE is believed this long after the binding, no later. */
	unsigned		 decline_after_ack;	/* seconds */
	/* Probe an address no client held before offering it (ICMP). */
	int			 conflict_check;
	unsigned		 conflict_timeout;	/* milliseconds */
	struct cfg_dhcp_limits	 limits;
	struct cfg_option	*options;	/* for every subnet */
	size_t			 noptions;
	struct cfg_subnet	*subnets;
	size_t			 nsubnets;
};

struct cfg_guard {
	unsigned	 max_misses;	/* misses allowed in a window */
	unsigned	 window;	/* seconds */
	unsigned	 block;		/* seconds answered 429 */
	unsigned	 global_max_misses;	/* all sources, per window;
						 * 0: no global budget */
};

struct cfg_limits {
	unsigned	 max_header_size;
	unsigned	 timeout;	/* idle/read/write, seconds */
	/* Deadlines that no trickle of bytes moves (provisiond/conns.h). */
	unsigned	 handshake_timeout;	/* seconds */
	unsigned	 request_timeout;	/* seconds */
	unsigned	 max_connections;
};

/* Enrollment (common/enroll.h). */
struct cfg_enroll {
	unsigned	 window;	/* provboxctl enroll's default, seconds */
	unsigned	 auto_window;	/* a new device's window; 0: none */
	unsigned	 fa_limit;	/* a first-access token's life after
					 * its first credential fetch */
	unsigned	 rotate_grace;	/* a rotated token still answers */
};

struct cfg_prov {
	char			**listen;	/* "addr:port", HTTPS */
	size_t			 nlisten;
	char			**http_listen;	/* plain HTTP: off if empty */
	size_t			 nhttp_listen;
	char			**tftp_listen;	/* read-only TFTP: off if
						 * empty */
	size_t			 ntftp_listen;
	/*
	 * Answer SIP plug-and-play SUBSCRIBEs (224.0.1.75:5060) on the
	 * served interfaces, for classes with a pnp_url.
	 */
	int			 sip_pnp;
	char			*base_url;	/* no trailing slash */
	char			*token_path;	/* "/p" */
	char			*legacy_path;	/* "/prov" */
	enum prov_mode		 default_mode;
	char			*templates_dir;
	char			*static_dir;
	/*
	 * A model's firmware URL names the phone's token folder (which
	 * serves static_dir's files too) instead of /static/, so only a
	 * phone of the office fetches it.
	 */
	int			 firmware_in_folder;
	char			*tls_cert;
	char			*tls_key;
	char			*tls_client_ca;	/* NULL: no client certs */
	struct cfg_guard	 guard;
	struct cfg_limits	 limits;
	struct cfg_enroll	 enroll;
};

enum file_format {
	FILE_FMT_TEXT = 0,	/* key = value lines: no line breaks inside */
	FILE_FMT_XML,		/* XML-escaped values */
};

/*
 * A file a vendor's phones fetch: the name pattern they request (with
 * ${mac}, ${MAC}, ${model} and at most one '*'), and what answers it.
 */
struct cfg_file {
	char			*pattern;
	char			*template;	/* absolute path */
	char			*template_rel;	/* under templates_dir */
	enum file_format	 format;
	char			*content_type;
	int			 per_device;	/* names a MAC: the phone's own
						 * file, with its credentials */
	/* Only for devices of these models (ignoring case); 0: every. */
	char			**models;
	size_t			 nmodels;
};

/* 1 if rule f answers a device of model (NULL: unknown). */
int	cfg_file_for_model(const struct cfg_file *f, const char *model);

/* How the flat folder guards a legacy class's files. */
struct cfg_legacy {
	int			 lease_binding;	/* requester holds the lease */
	int			 client_cert;	/* certificate names the MAC */
	int			 allowlist;	/* only registered MACs */
	int			 bootstrap;	/* serve credentials blanked */
};

struct cfg_vendor {
	char			*name;
	int			 is_default;	/* the fallback class */
	char			**match_prefix;	/* Option 60 */
	size_t			 nmatch_prefix;
	char			**match_substring;
	size_t			 nmatch_substring;
	char			**match_exact;
	size_t			 nmatch_exact;
	uint8_t			(*oui)[3];	/* MAC OUIs */
	size_t			 noui;
	enum prov_mode		 mode;
	struct cfg_option	*options;	/* for registered devices */
	size_t			 noptions;
	struct cfg_option	*unregistered;	/* for the others; may be 0 */
	size_t			 nunregistered;
	/* The placeholders (enum tmpl_var bits) each list uses, all levels. */
	int			 options_vars;
	int			 unregistered_vars;
	struct cfg_file		*files;
	size_t			 nfiles;
	struct cfg_legacy	 legacy;
	/*
	 * The phone's own file answers only a client certificate that
	 * names its MAC (token or legacy; legacy.client_cert is the same
	 * setting). In a token class the permanent URL may then go out over
	 * DHCP: the certificate is the proof.
	 */
	int			 client_cert;
	/*
	 * The phone's own file may go out over TFTP (legacy classes only):
	 * in clear text, to whoever can sniff the segment, for phones that
	 * fetch over nothing else.
	 */
	int			 tftp;
	/*
	 * The URL a SIP plug-and-play NOTIFY hands the class's phones, as a
	 * ${ } template (urltmpl.h; written with {{ }} in the file); NULL:
	 * the class's phones get no PnP answer.
	 */
	char			*pnp_url;
	int			 pnp_url_vars;
	/* 0: as the subnet, then the dhcp group, says. */
	uint32_t		 renew_time;
	uint32_t		 rebind_time;
	uint32_t		 next_server;
	struct cfg_settings	 settings;
	struct cfg_model	*models;
	size_t			 nmodels;
};

struct cfg_device {
	struct mac_addr		 mac;
	size_t			 vendor;	/* index into cfg.vendors */
	char			*model;		/* may be NULL */
	struct cfg_settings	 settings;
};

struct cfg_user {
	char			*name;
	char			*display_name;	/* may be NULL */
	char			*sip_user;
	char			*sip_password;
	char			*sip_server;
	unsigned		 sip_port;
	struct cfg_account	*accounts;	/* the second and later */
	size_t			 naccounts;
	struct cfg_settings	 settings;
	struct cfg_device	*devices;
	size_t			 ndevices;
};

/*
 * The metrics listeners (common/metrics.h), one per daemon: "addr:port";
 * NULL: that daemon serves no metrics. tls: HTTPS with the provisioning
 * service's certificate and key.
 */
struct cfg_metrics {
	char			*dhcpd_listen;
	char			*provisiond_listen;
	int			 tls;	/* HTTPS with provisioning.tls */
};

struct cfg {
	char			*path;		/* the main file, as given */
	char			*dir;		/* its directory */
	char			*registry_path;	/* LMDB directory */
	size_t			 registry_map_size;	/* bytes */
	int			 registry_sync;	/* fsync on commit */
	enum log_level		 log_level;
	int			 log_facility;
	enum log_target		 log_target;
	unsigned		 log_warn_burst;
	unsigned		 log_warn_interval;
	char			*run_dir;
	char			*user;		/* drop privileges to; may be NULL */
	struct cfg_dhcp		 dhcp;
	struct cfg_prov		 prov;
	struct cfg_metrics	 metrics;
	struct cfg_settings	 settings;	/* the defaults */
	struct cfg_phonebook	 phonebook;
	struct cfg_vendor	*vendors;
	size_t			 nvendors;
	struct cfg_user		*users;
	size_t			 nusers;
	/* The users sorted by name, for cfg_user_find() (per request). */
	const struct cfg_user	**users_byname;
	size_t			 nusers_byname;
	/* Every file rule's template, parsed (NULL: CFG_NO_TEMPLATES). */
	struct settings_templates *templates;
};

struct settings_templates;

struct cfg_error {
	char		*file;
	unsigned	 line;
	char		*setting;	/* "dhcp.subnets[0].pools[1]" */
	char		*msg;
};

struct cfg_errors {
	struct cfg_error	*v;
	size_t			 n;
};

/* cfg_load() flags */
#define CFG_NO_FILE_CHECKS	0x1	/* don't require TLS files to exist */
#define CFG_NO_TEMPLATES	0x2	/* don't parse and render templates */

/*
 * Loads and validates path. On success returns 0 and *out (caller frees
 * with cfg_free()). On any error returns -1, *out is NULL and errs holds
 * every error found (caller frees with cfg_errors_free()).
 */
int		 cfg_load(const char *path, unsigned flags, struct cfg **out,
		    struct cfg_errors *errs);
/* Frees cfg and wipes the SIP passwords it held. NULL is a no-op. */
void		 cfg_free(struct cfg *cfg);
void		 cfg_errors_free(struct cfg_errors *errs);
/*
 * Adds an error to errs (file NULL: one that is not the config's, a
 * template's, whose message says where). -1 when out of memory.
 */
int		 cfg_errors_add(struct cfg_errors *errs, const char *file,
		    unsigned line, const char *setting, const char *fmt, ...)
		    __attribute__((format(printf, 5, 6)));
/*
 * "file:line: setting: message" into buf (the message alone for an error
 * with no file: a template, TLS material); returns buf.
 */
char		*cfg_error_format(const struct cfg_error *e, char *buf,
		    size_t bufsz);

/*
 * Opens every sealed secret of cfg in place (users' SIP passwords, their
 * accounts', the phones' admin and user passwords at every scope) with
 * open (reg_config_open() and its registry). 0, or -1 with an error per
 * value that does not open added to errs. A config whose secrets are in
 * clear is left as it is.
 */
int			 cfg_unseal(struct cfg *cfg, int (*open)(const void *arg,
			    const char *sealed, char *out, size_t outsz),
			    const void *arg, struct cfg_errors *errs);
/* 1 if some secret of cfg is still sealed. */
int			 cfg_has_sealed(const struct cfg *cfg);

/* Lookups over a loaded config; NULL when absent. */
/* The subnet that holds ip (host order). */
const struct cfg_subnet	*cfg_subnet_find(const struct cfg *cfg, uint32_t ip);
const struct cfg_vendor	*cfg_vendor_find(const struct cfg *cfg,
			    const char *name);
/*
 * The folder URL phones are pointed at: base_url, then token_path and
 * the token, or, for token "", the flat folder (legacy_path); a trailing
 * slash. Written into buf (cut to sz); returns buf.
 */
char			*cfg_folder_url(const struct cfg *cfg,
			    const char *token, char *buf, size_t sz);
const struct cfg_user	*cfg_user_find(const struct cfg *cfg,
			    const char *name);
/* The model entry of class v named model (ignoring case), or NULL. */
const struct cfg_model	*cfg_model_find(const struct cfg_vendor *v,
			    const char *model);
/* The device entry for mac in the users table (*user set), or NULL. */
const struct cfg_device	*cfg_device_find(const struct cfg *cfg,
			    const struct mac_addr *mac,
			    const struct cfg_user **user);

/*
 * T1 and T2 (Options 58, 59) for a reply whose lease is lease seconds,
 * from the renew and rebind times that apply (0: not set; each defaults
 * to half and 7/8 of the lease). Used only when T1 < T2 < lease; else
 * both are RFC 2131 4.4.5's defaults. Returns 1 when the configured
 * times were used, 0 when the defaults were.
 */
int			 cfg_renewal_times(uint32_t lease, uint32_t renew,
			    uint32_t rebind, uint32_t *t1, uint32_t *t2);
/*
 * -1, with a message in err, when a pool holds one of the n addresses
 * (the server's own, of its interfaces); else 0.
 */
int			 cfg_dhcp_check_addrs(const struct cfg *cfg,
			    const uint32_t *addrs, size_t n, char *err,
			    size_t errsz);

#endif /* PB_CFG_H */
