/*
 * cfg_metrics.c - the metrics group: where each daemon serves its
 * Prometheus metrics (common/metrics.h), if anywhere.
 *
 *   metrics = {
 *     dhcpd_listen = "127.0.0.1:9167";
 *     provisiond_listen = "127.0.0.1:9168";
 *     tls = false;
 *   };
 *
 * Both listeners are optional; absent, that daemon serves no metrics.
 * tls = true serves HTTPS with provisioning.tls's certificate and key
 * (both daemons: provbox-dhcpd reads them too). Anything but
 * a loopback address is a warning: the metrics say how busy the server
 * is and which pools run low, nothing an office network needs to read.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"

/* The setting name of g, read and checked; NULL when absent or wrong. */
static char *
get_listen(struct cfg_ctx *ctx, const config_setting_t *g, const char *name)
{
	const char	*v;
	int		 loopback = 0;

	if (cfg_get_string(ctx, g, name, 0, 80, &v) != 1)
		return NULL;
	if (!cfg_listen_parse(v, &loopback)) {
		cfg_err(ctx, config_setting_get_member(g, name), "'%s' is not "
		    "a listen address (a.b.c.d:port or [v6addr]:port, e.g. "
		    "\"127.0.0.1:9167\")", v);
		return NULL;
	}
	if (!loopback)
		cfg_warn(ctx, config_setting_get_member(g, name), "'%s' is not "
		    "a loopback address: the metrics can be read by anyone "
		    "who reaches it (127.0.0.1 keeps them on this host)", v);
	return cfg_strdup(ctx, v);
}

/* 1 when s is one of the n listen addresses of list. */
static int
in_list(const char *s, char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] != NULL && strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

int
cfg_parse_metrics(struct cfg_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = { "dhcpd_listen",
		"provisiond_listen", "tls", NULL };
	const config_setting_t	*g = config_setting_get_member(root,
				    "metrics");
	struct cfg_metrics	*m = &ctx->cfg->metrics;
	const struct cfg_prov	*p = &ctx->cfg->prov;

	if (g == NULL)
		return 0;
	if (!cfg_is_group(ctx, g))
		return -1;
	cfg_check_keys(ctx, g, keys);
	m->dhcpd_listen = get_listen(ctx, g, "dhcpd_listen");
	m->provisiond_listen = get_listen(ctx, g, "provisiond_listen");
	if (cfg_get_bool(ctx, g, "tls", &m->tls) == 1 && m->tls &&
	    (p->tls_cert == NULL || p->tls_key == NULL))
		cfg_err(ctx, config_setting_get_member(g, "tls"), "true, but "
		    "provisioning.tls has no cert and key to serve HTTPS "
		    "with");
	if (m->dhcpd_listen != NULL && m->provisiond_listen != NULL &&
	    strcmp(m->dhcpd_listen, m->provisiond_listen) == 0)
		cfg_err(ctx, config_setting_get_member(g, "provisiond_listen"),
		    "'%s' is dhcpd_listen too: each daemon needs its own "
		    "port", m->provisiond_listen);
	if (m->provisiond_listen != NULL &&
	    (in_list(m->provisiond_listen, p->listen, p->nlisten) ||
	    in_list(m->provisiond_listen, p->http_listen, p->nhttp_listen)))
		cfg_err(ctx, config_setting_get_member(g, "provisiond_listen"),
		    "'%s' is a provisioning listen address too: the metrics "
		    "need a port of their own", m->provisiond_listen);
	return 0;
}

void
cfg_metrics_free(struct cfg_metrics *m)
{
	free(m->dhcpd_listen);
	free(m->provisiond_listen);
	m->dhcpd_listen = m->provisiond_listen = NULL;
}
