/*
 * render.c - provboxctl device render MAC FILE: the file a registered
 * phone gets when it asks for FILE in its own folder, rendered as
 * provisiond renders it (the same rule, template, merged settings and
 * registry values), so an admin sees what a template writes before any
 * phone fetches it. Every password is left empty unless --secrets is
 * given, which only root may.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "addr.h"
#include "ctl.h"
#include "../provisiond/route.h"
#include "settings.h"

/*
 * The rule of class v that answers name for a device of model: per-device
 * rules first (as provisiond tries them), and only rules for that model.
 */
static int
find_rule(const struct cfg_vendor *v, const char *name, const char *model,
    struct file_match *m)
{
	for (int per_device = 1; per_device >= 0; per_device--)
		for (size_t i = 0; i < v->nfiles; i++) {
			const struct cfg_file *f = &v->files[i];

			if (f->per_device != per_device ||
			    !cfg_file_for_model(f, model) ||
			    !route_match_file(f, name, m))
				continue;
			m->vendor = v;
			return 1;
		}
	return 0;
}

int
cmd_render(const char *path, const char *who, const char *name)
{
	struct cfg		*cfg;
	struct reg		*reg = NULL;
	struct reg_txn		 txn;
	struct reg_device	 d;
	struct reg_user		 u;
	struct file_match	 m;
	struct settings_in	 in;
	struct tv_doc		*doc = NULL;
	const struct cfg_vendor	*v;
	const struct tmpl	*t;
	struct mac_addr		 mac;
	char			 url[512] = "", *body = NULL;
	const char		*model;
	ssize_t			 n = -1;
	int			 ret = 1, open = 0;

	memset(&d, 0, sizeof(d));
	memset(&u, 0, sizeof(u));
	memset(&txn, 0, sizeof(txn));
	if (mac_parse(who, &mac) != 0) {
		fprintf(stderr, "provboxctl: %s is not a MAC address\n", who);
		return 2;
	}
	if (ctl_secrets && geteuid() != 0) {
		fprintf(stderr, "provboxctl: --secrets: only root may see a "
		    "phone's passwords\n");
		return 1;
	}
	/* With its templates: they are what is rendered. */
	if ((cfg = ctl_load(path, CFG_NO_FILE_CHECKS, NULL)) == NULL)
		return 1;
	if ((reg = ctl_open_registry(cfg, REG_RDONLY)) == NULL)
		goto done;
	if (ctl_secrets && ctl_unseal(reg, cfg, NULL) != 0)
		goto done;
	if (reg_txn_begin(reg, &txn, 1) != 0) {
		fprintf(stderr, "provboxctl: %s\n", reg_strerror(txn.err));
		goto done;
	}
	open = 1;
	if (reg_device_get(&txn, &mac, &d) != 0) {
		fprintf(stderr, "provboxctl: %s is not in the registry "
		    "(provboxctl sync)\n", who);
		goto done;
	}
	model = d.model[0] != '\0' ? d.model : NULL;
	if ((v = cfg_vendor_find(cfg, d.vendor)) == NULL) {
		fprintf(stderr, "provboxctl: %s: its class %s is not in the "
		    "config (provboxctl sync)\n", who, d.vendor);
		goto done;
	}
	if (!find_rule(v, name, model, &m)) {
		fprintf(stderr, "provboxctl: %s: no file rule of class %s "
		    "answers '%s'%s%s\n", who, v->name, name,
		    model != NULL ? " for model " : "", model != NULL ? model :
		    "");
		goto done;
	}
	if (m.has_mac && memcmp(&m.mac, &mac, sizeof(mac)) != 0) {
		fprintf(stderr, "provboxctl: '%s' names another phone than "
		    "%s\n", name, who);
		goto done;
	}
	if (reg_user_get(&txn, d.user, &u) != 0) {
		fprintf(stderr, "provboxctl: %s: its user %s is not in the "
		    "registry\n", who, d.user);
		goto done;
	}
	if (ctl_secrets && (u.secrets_sealed || d.secrets_sealed)) {
		fprintf(stderr, "provboxctl: %s: the registry's secrets cannot "
		    "be opened here (run as root, with the registry's "
		    "secret.key)\n", who);
		goto done;
	}
	memset(&in, 0, sizeof(in));
	in.vendor = v;
	/* As provisiond fills it for the phone's own folder. */
	settings_in_user(&in, cfg, &u, NULL, url, sizeof(url));
	if (m.file->per_device)
		settings_in_device(&in, &d);
	in.no_passwords = !ctl_secrets;
	t = settings_template_parts(cfg->templates, m.file, &in);
	if (t == NULL || (doc = settings_tree(cfg, &in)) == NULL ||
	    (n = tmpl_render(t, tv_root(doc), m.file->format, &body)) < 0) {
		fprintf(stderr, "provboxctl: %s: %s: cannot render\n", who,
		    m.file->template);
		goto done;
	}
	if (fwrite(body, 1, (size_t)n, stdout) != (size_t)n ||
	    fflush(stdout) != 0) {
		perror("provboxctl: stdout");
		goto done;
	}
	ret = 0;
done:
	if (body != NULL) {
		OPENSSL_cleanse(body, n > 0 ? (size_t)n : 0);
		free(body);
	}
	tv_doc_free(doc);
	OPENSSL_cleanse(url, sizeof(url));
	reg_device_clear(&d);
	reg_user_clear(&u);
	if (open)
		reg_txn_abort(&txn);
	reg_close(reg);
	cfg_free(cfg);
	return ret;
}
