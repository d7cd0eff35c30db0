/*
 * settings.h - what a phone's file is rendered from: the named settings
 * merged over their scopes, the user's accounts and the device's keys,
 * as the value tree (tv.h) the templates (tmpl.h) see; and the check
 * that renders every file for every device before a config is used.
 *
 * Scopes, nearest last: the defaults (provbox.conf's settings group),
 * the vendor class, the model (the class's models table), the user, the
 * device. The nearest scope that sets a setting wins; a list (keys,
 * ntp_servers) is taken whole from the nearest scope that has one; free
 * variables (vars) merge by name. etc/templates/README.md lists every
 * name of the tree.
 *
 * Nothing a phone sends reaches the tree: its values come from the
 * config and the registry only (the MAC and the model the admin wrote).
 */
#ifndef PB_SETTINGS_H
#define PB_SETTINGS_H

#include <stdint.h>

#include "addr.h"
#include "cfg.h"
#include "registry.h"
#include "tmpl.h"
#include "tv.h"

/* Who a file is rendered for. */
struct settings_in {
	const struct cfg_vendor	*vendor;	/* the class; required */
	const struct cfg_user	*user;		/* NULL: nobody's file */
	const struct mac_addr	*mac;		/* NULL: a common file */
	const char		*model;		/* NULL: unknown */
	/*
	 * The first account and the user as the registry holds them (the
	 * registry is what the daemons serve from; a sync keeps it equal
	 * to the users table). NULL: taken from user.
	 */
	const char		*user_name;
	const char		*display_name;
	const char		*sip_user;
	const char		*sip_password;
	const char		*sip_server;
	unsigned		 sip_port;
	const char		*provisioning_url;	/* NULL: "" */
	/* provisioning_url is the user's own token folder (not flat). */
	int			 token_folder;
	/*
	 * The device's own admin password from the registry (made by
	 * reg_sync()): settings.admin_password when no scope sets one.
	 */
	const char		*device_admin_password;
	/* Bootstrap: every password and account identity left empty. */
	int			 blank_credentials;
	/* Every password left empty, the rest as served (a preview). */
	int			 no_passwords;
	/*
	 * Fill the phonebook list (every user and entry): set for a
	 * template that uses it (tmpl_uses()), left empty for the others.
	 */
	int			 with_phonebook;
	/*
	 * Parts of the tree to leave out (SETTINGS_OMIT_*): those the
	 * template does not use (settings_template_omit()); 0 builds all.
	 */
	unsigned		 omit;
	/*
	 * Of tz.*, only these styles (bit 1 << enum tz_style), and of
	 * lang.* and tone.* only these vendors (1 << enum locale_vendor):
	 * those the template names, as settings_template_parts() sets them
	 * (with a marker bit of its own). 0: all.
	 */
	uint64_t		 tz_styles;
	unsigned		 locale_vendors;
};

#define SETTINGS_OMIT_TZ	0x1	/* tz.* */
#define SETTINGS_OMIT_LOCALE	0x2	/* lang.*, tone.* */
#define SETTINGS_OMIT_VARS	0x4	/* vars.* */
#define SETTINGS_OMIT_KEYS	0x8	/* keys */
#define SETTINGS_OMIT_NTP	0x10	/* ntp.*, ntp_servers */
#define SETTINGS_OMIT_ACCOUNTS	0x20	/* accounts, sip.* */
#define SETTINGS_OMIT_NAMED	0x40	/* settings.*, date.*, time.* */

/*
 * in's user fields from the registry's record u (what the daemons serve
 * from), and its folder URL into url: u's own token folder, or the
 * folder of url_token when not NULL (a first-access token; "" for the
 * flat folder).
 */
void		 settings_in_user(struct settings_in *in, const struct cfg *cfg,
		    const struct reg_user *u, const char *url_token, char *url,
		    size_t urlsz);
/* in's device fields (MAC, model, its own admin password) from d. */
void		 settings_in_device(struct settings_in *in,
		    const struct reg_device *d);

/*
 * The tree for in, or NULL when out of memory. Caller frees it with
 * tv_doc_free() (which wipes the passwords). Values a vendor style
 * cannot express (tz_format() refused: a half-hour DST for a phone that
 * knows hours) are left out; settings_check() reports the templates
 * that would use them.
 */
struct tv_doc	*settings_tree(const struct cfg *cfg,
		    const struct settings_in *in);

/*
 * The schema every template of cfg is parsed against: every name the
 * tree may hold, vars being every free variable some scope defines.
 */
struct tv_doc	*settings_schema(const struct cfg *cfg);

/* Every file rule's template of a config, parsed once per load. */
struct settings_templates;

/*
 * Parses every file rule's template against settings_schema(cfg).
 * NULL with the errors (each "template:line: why", the rule's file and
 * line in the config) added to errs.
 */
struct settings_templates *settings_templates_load(const struct cfg *cfg,
		    struct cfg_errors *errs);
void		 settings_templates_free(struct settings_templates *ts);
/* The parsed template of rule f, or NULL. */
const struct tmpl *settings_template(const struct settings_templates *ts,
		    const struct cfg_file *f);

/*
 * The parts of the tree rule f's template never names (settings_in's
 * omit): a request builds only what its file uses.
 */
unsigned	 settings_template_omit(const struct settings_templates *ts,
		    const struct cfg_file *f);
/*
 * Rule f's parsed template (NULL: none), with in's omit, tz_styles,
 * locale_vendors and with_phonebook filled for it: the tree then holds
 * just what the template names. One lookup per request.
 */
const struct tmpl *settings_template_parts(
		    const struct settings_templates *ts,
		    const struct cfg_file *f, struct settings_in *in);
/*
 * Renders every file rule for every device in the users table (its own
 * files with its merged settings, its class's common files in its
 * user's folder) and every class's common files in the flat folder.
 * Adds an error naming the template and the device (MAC, user) for
 * each render that fails, each value a template uses that cannot be
 * expressed for that device, and each key that names an account the
 * user lacks. Returns the number of errors added (-1: out of memory).
 */
int		 settings_check(const struct cfg *cfg,
		    const struct settings_templates *ts,
		    struct cfg_errors *errs);

#endif /* PB_SETTINGS_H */
