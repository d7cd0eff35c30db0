/*
 * cfg_int.h - what the cfg_*.c files share while loading a config.
 * Not for use outside common/cfg*.c: only these files see libconfig.
 */
#ifndef PB_CFG_INT_H
#define PB_CFG_INT_H

#include <libconfig.h>

#include "cfg.h"

struct cfg_ctx {
	struct cfg		*cfg;
	struct cfg_errors	*errs;
	unsigned		 flags;
	int			 nomem;		/* sticky: allocation failed */
};

/* Records an error at setting s (file:line and path taken from s). */
void	cfg_err(struct cfg_ctx *ctx, const config_setting_t *s,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records an error that names another setting than the one it sits at. */
void	cfg_err_at(struct cfg_ctx *ctx, const config_setting_t *s,
	    const char *name, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/*
 * A warning at setting s, in the same "file:line: setting:" form: logged
 * with log_warnx(), and the config is still accepted.
 */
void	cfg_warn(struct cfg_ctx *ctx, const config_setting_t *s,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * 1 for "a.b.c.d:port" or "[v6]:port" (port 1-65535), with *loopback (if
 * not NULL) set for 127.0.0.0/8 or ::1; else 0.
 */
int	cfg_listen_parse(const char *s, int *loopback);
void	*cfg_calloc(struct cfg_ctx *ctx, size_t n, size_t size);
char	*cfg_strdup(struct cfg_ctx *ctx, const char *s);
/* A path relative to the config file's directory made absolute. */
char	*cfg_path(struct cfg_ctx *ctx, const char *p);

/*
 * Reports every member of group whose name is not in allowed (a NULL-ended
 * list), so a misspelt setting is an error rather than silently ignored.
 */
void	cfg_check_keys(struct cfg_ctx *ctx, const config_setting_t *group,
	    const char *const *allowed);

/*
 * Typed getters. Each returns 1 when the setting is present and valid, 0
 * when it is absent (an error if required), -1 when it is present but wrong
 * (the error is recorded). *out is untouched unless 1 is returned.
 */
int	cfg_get_string(struct cfg_ctx *ctx, const config_setting_t *group,
	    const char *name, int required, size_t maxlen, const char **out);
int	cfg_get_uint(struct cfg_ctx *ctx, const config_setting_t *group,
	    const char *name, int required, unsigned long long min,
	    unsigned long long max, unsigned long long *out);
int	cfg_get_bool(struct cfg_ctx *ctx, const config_setting_t *group,
	    const char *name, int *out);
/* A list or array of strings, or one string; *out is a new array. */
int	cfg_get_strings(struct cfg_ctx *ctx, const config_setting_t *group,
	    const char *name, char ***out, size_t *n);
/* As cfg_get_strings, each parsed as an IPv4 address. */
int	cfg_get_ips(struct cfg_ctx *ctx, const config_setting_t *group,
	    const char *name, uint32_t **out, size_t *n);
int	cfg_get_ip(struct cfg_ctx *ctx, const config_setting_t *group,
	    const char *name, int required, uint32_t *out);
int	cfg_get_mac(struct cfg_ctx *ctx, const config_setting_t *group,
	    const char *name, int required, struct mac_addr *out);

/*
 * Reads a list of option groups ({ code|name, type, value|suboptions }).
 * allowed_vars: the template placeholders permitted (enum tmpl_var bits);
 * 0 means values are not templates at all.
 */
int	cfg_parse_options(struct cfg_ctx *ctx, const config_setting_t *list,
	    int allowed_vars, const char *why_not, struct cfg_option **out,
	    size_t *n);
void	cfg_options_free(struct cfg_option *opts, size_t n);

/*
 * renew_time, rebind_time and next_server of group g (the dhcp group, a
 * subnet, a vendor class) into the fields given (untouched when absent).
 * T1 < T2 < lease is checked (RFC 2131 4.4.5); lease is this level's lease
 * time, 0 when it has none (then only T1 < T2), named lease_name in errors;
 * up is the level a time left out here comes from (NULL: the default).
 */
void	cfg_parse_renewal(struct cfg_ctx *ctx, const config_setting_t *g,
	    uint32_t lease, const char *lease_name, const struct cfg_dhcp *up,
	    uint32_t *renew, uint32_t *rebind, uint32_t *next_server);
/*
 * After every section is read: refuses a pool holding a next server, a
 * router or the provisioning server's address; warns about a router, a
 * TFTP or a next server outside every subnet.
 */
void	cfg_check_addrs(struct cfg_ctx *ctx, const config_setting_t *root);

int	cfg_parse_dhcp(struct cfg_ctx *ctx, const config_setting_t *root);
void	cfg_dhcp_free(struct cfg_dhcp *dhcp);
int	cfg_parse_prov(struct cfg_ctx *ctx, const config_setting_t *root);
void	cfg_prov_free(struct cfg_prov *prov);
int	cfg_parse_vendors(struct cfg_ctx *ctx, const config_setting_t *root);
void	cfg_vendors_free(struct cfg_vendor *v, size_t n);
int	cfg_parse_users(struct cfg_ctx *ctx, const config_setting_t *root);
void	cfg_users_free(struct cfg_user *u, size_t n);
/* The metrics group (cfg_metrics.c); after the provisioning section. */
int	cfg_parse_metrics(struct cfg_ctx *ctx, const config_setting_t *root);
void	cfg_metrics_free(struct cfg_metrics *m);

/*
 * The length of the list s (0 when s is NULL or empty), or -1 with an
 * error recorded when s is not a list; example shows one element.
 */
int	cfg_list_len(struct cfg_ctx *ctx, const config_setting_t *s,
	    const char *example);
/* 1 if g is a group; 0, with an error recorded, if it is anything else. */
int	cfg_is_group(struct cfg_ctx *ctx, const config_setting_t *g);

void	cfg_strv_free(char **v, size_t n);
/* 1 for a DNS name: dot-separated labels of letters, digits and '-'. */
int	cfg_valid_hostname(const char *s);
/* 1 if s is not empty and every byte is a letter, a digit or in extra. */
int	cfg_valid_name(const char *s, const char *extra);
/* 1 if s holds no control byte (no line can be injected through it). */
int	cfg_valid_text(const char *s);

/*
 * The settings group of parent (absent: nothing set) into st; a vendor
 * class's models, a user's further accounts (cfg_settings.c).
 */
void	cfg_parse_settings(struct cfg_ctx *ctx, const config_setting_t *parent,
	    struct cfg_settings *st);
void	cfg_settings_free(struct cfg_settings *st);
void	cfg_parse_models(struct cfg_ctx *ctx, const config_setting_t *vg,
	    struct cfg_vendor *v);
void	cfg_models_free(struct cfg_model *m, size_t n);
void	cfg_parse_accounts(struct cfg_ctx *ctx, const config_setting_t *ug,
	    struct cfg_user *u);
void	cfg_accounts_free(struct cfg_account *a, size_t n);
/*
 * A secret as written: at most max bytes in clear, or a sealed value
 * (CFG_SEALED_PREFIX and base64). 0, or -1 with the error recorded.
 */
int	cfg_check_secret(struct cfg_ctx *ctx, const config_setting_t *s,
	    const char *v, size_t max);
/* The phonebook group of the main file (cfg_settings.c). */
void	cfg_parse_phonebook(struct cfg_ctx *ctx, const config_setting_t *root);
void	cfg_phonebook_free(struct cfg_phonebook *pb);

#endif /* PB_CFG_INT_H */
