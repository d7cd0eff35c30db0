/*
 * cert.c - provboxctl certificate: a self-signed EC P-256 key and
 * certificate for provbox-provisiond, at the paths the config names, for
 * an appliance's first start. An existing key or certificate is never
 * replaced: an admin's own certificate always wins.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "addr.h"
#include "ctl.h"

/* Opens path for a new file of mode, refusing to replace one. */
static FILE *
create_file(const char *path, mode_t mode)
{
	FILE	*f;
	int	 fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0) {
		fprintf(stderr, "provboxctl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if ((f = fdopen(fd, "w")) == NULL)
		close(fd);
	return f;
}

/*
 * The host phones reach this box at, from base_url: the certificate is
 * made out to it (subjectAltName IP or DNS).
 */
static void
base_host(const struct cfg *cfg, char *host, size_t sz)
{
	const char	*p = cfg->prov.base_url, *e;

	snprintf(host, sz, "provbox");
	if (p == NULL || (p = strstr(p, "://")) == NULL)
		return;
	p += 3;
	if (*p == '[') {
		e = strchr(p, ']');
		p++;
	} else
		e = p + strcspn(p, ":/");
	if (e != NULL && e > p && (size_t)(e - p) < sz)
		snprintf(host, sz, "%.*s", (int)(e - p), p);
}

/*
 * Root making the key for daemons that run as their own user (the owner
 * of the registry directory, as the packaging sets it up): the key and
 * its directory go to that user's group, readable by it and nobody else.
 */
static void
share_with_daemons(const struct cfg *cfg, const char *dir)
{
	struct stat st;

	if (geteuid() != 0 || stat(cfg->registry_path, &st) != 0 ||
	    st.st_uid == 0)
		return;
	if ((dir != NULL && (chown(dir, 0, st.st_gid) != 0 ||
	    chmod(dir, 0750) != 0)) || chown(cfg->prov.tls_key, 0,
	    st.st_gid) != 0 || chmod(cfg->prov.tls_key, 0640) != 0)
		fprintf(stderr, "provboxctl: cannot give the key to group "
		    "%lu: %s\n", (unsigned long)st.st_gid, strerror(errno));
}

/*
 * What certificate did, printed or as one JSON object: key, cert, created
 * and, when created, subject_alt_name and valid_days.
 */
static int
report(const struct cfg *cfg, const char *san)
{
	json_t *o;

	if (!ctl_json) {
		if (san == NULL)
			printf("%s and %s exist: nothing to do\n",
			    cfg->prov.tls_cert, cfg->prov.tls_key);
		else
			printf("created %s and a self-signed certificate for "
			    "%s in %s, valid 825 days\n", cfg->prov.tls_key,
			    san, cfg->prov.tls_cert);
		return 0;
	}
	o = jobj();
	jset(o, "key", jtext(cfg->prov.tls_key));
	jset(o, "cert", jtext(cfg->prov.tls_cert));
	jset(o, "created", jbool(san != NULL));
	jset(o, "subject_alt_name", jtext(san));
	jset(o, "valid_days", san != NULL ? jint(825) : jnull());
	return json_print(o) == 0 ? 0 : 1;
}

/*
 * A self-signed EC P-256 certificate for the provisioning service. Never
 * replaces a key or certificate that exists.
 */
int
cmd_certificate(const char *path)
{
	struct cfg	*cfg;
	EVP_PKEY	*key = NULL;
	X509		*x = NULL;
	X509_EXTENSION	*ext;
	X509V3_CTX	 v3;
	BIGNUM		*bn = NULL;
	FILE		*f = NULL;
	uint32_t	 ip;
	uint8_t		 serial[8];
	char		 host[256], san[300], *dir = NULL, *slash;
	int		 ret = 1, have_cert, have_key;

	if ((cfg = ctl_load(path, CFG_NO_FILE_CHECKS | CFG_NO_TEMPLATES,
	    NULL)) == NULL)
		return 1;
	if (cfg->prov.tls_cert == NULL || cfg->prov.tls_key == NULL) {
		fprintf(stderr, "provboxctl: the config names no "
		    "provisioning.tls cert and key\n");
		goto done;
	}
	have_cert = access(cfg->prov.tls_cert, F_OK) == 0;
	have_key = access(cfg->prov.tls_key, F_OK) == 0;
	if (have_cert && have_key) {
		ret = report(cfg, NULL);
		goto done;
	}
	if (have_cert || have_key) {
		fprintf(stderr, "provboxctl: only one of %s and %s exists: "
		    "not replacing it\n", cfg->prov.tls_cert,
		    cfg->prov.tls_key);
		goto done;
	}
	if ((dir = strdup(cfg->prov.tls_key)) != NULL &&
	    (slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, "provboxctl: %s: %s\n", dir,
			    strerror(errno));
			goto done;
		}
	}
	base_host(cfg, host, sizeof(host));
	snprintf(san, sizeof(san), "%s:%s", ip4_parse(host, &ip) == 0 ? "IP" :
	    "DNS", host);
	if ((key = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL ||
	    RAND_bytes(serial, sizeof(serial)) != 1)
		goto ssl_fail;
	serial[0] &= 0x7f;	/* a positive serial number */
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    X509_set_version(x, 2) != 1 ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 825L * 86400) == NULL ||
	    X509_set_pubkey(x, key) != 1 ||
	    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)host, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(x)) != 1)
		goto ssl_fail;
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
	    san)) == NULL || X509_add_ext(x, ext, -1) != 1)
		goto ssl_fail;
	X509_EXTENSION_free(ext);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, NID_ext_key_usage,
	    "serverAuth")) == NULL || X509_add_ext(x, ext, -1) != 1)
		goto ssl_fail;
	X509_EXTENSION_free(ext);
	if (X509_sign(x, key, EVP_sha256()) == 0)
		goto ssl_fail;
	if ((f = create_file(cfg->prov.tls_key, 0600)) == NULL)
		goto done;
	if (PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fclose(f) != 0) {
		f = NULL;
		goto ssl_fail;
	}
	if ((f = create_file(cfg->prov.tls_cert, 0644)) == NULL)
		goto done;
	if (PEM_write_X509(f, x) != 1 || fclose(f) != 0) {
		f = NULL;
		goto ssl_fail;
	}
	f = NULL;
	share_with_daemons(cfg, dir);
	ret = report(cfg, san);
	goto done;
ssl_fail:
	fprintf(stderr, "provboxctl: making the certificate: %s\n",
	    ERR_reason_error_string(ERR_get_error()));
done:
	if (f != NULL)
		fclose(f);
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(key);
	free(dir);
	cfg_free(cfg);
	return ret;
}
