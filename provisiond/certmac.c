/*
 * certmac.c - the MAC address in a phone's factory client certificate.
 *
 * The certificate has been verified against the admin's CA bundle before
 * it gets here, so its strings are the vendor's, not an attacker's; they
 * are still parsed with a length and never trusted to be NUL-terminated
 * (ASN.1 strings may hold NUL bytes, an old trick to make "a\0b" look like
 * "a" to C code).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certmac.h"
#include "log.h"

/* Outcome of looking at one place of the certificate. */
enum place_res {
	PLACE_NONE = 0,	/* no usable MAC here: look further */
	PLACE_FOUND,	/* exactly one MAC: stop */
};

static int
is_hex(const char *s, size_t len, size_t i)
{
	return i < len && hex_digit(s[i]) >= 0;
}

/* A letter that is not a hex digit: glues a hex run into a word. */
static int
is_word_letter(char c)
{
	return ((c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z'));
}

/*
 * Whether the hex run that ends just before s[end] (end > 0, s[end - 1] a
 * hex digit) stands on its own, i.e. is not the tail of a word such as the
 * "AC" of "MAC". Only a free-standing run can continue a MAC's group chain.
 */
static int
run_free_left(const char *s, size_t end)
{
	size_t	 j = end;

	while (j > 0 && hex_digit(s[j - 1]) >= 0)
		j--;
	return j == 0 || !is_word_letter(s[j - 1]);
}

/* Same for the run that starts at s[start], looking at what follows it. */
static int
run_free_right(const char *s, size_t len, size_t start)
{
	size_t	 j = start;

	while (j < len && hex_digit(s[j]) >= 0)
		j++;
	return j == len || !is_word_letter(s[j]);
}

/*
 * Tries to read a separated MAC whose first group is the hex run starting
 * at s[i]: `groups` runs of exactly `width` hex digits joined by single
 * `sep` characters. The chain must not go on with the same separator on
 * either side into a free-standing hex run ("00:04:13:92:2d:24:55" is not a
 * MAC, "MAC:00:04:13:92:2d:24" is). Returns the length of the MAC text, or
 * 0.
 */
static size_t
chain_at(const char *s, size_t len, size_t i, char sep, size_t groups,
    size_t width)
{
	size_t	 p = i;

	for (size_t g = 0; g < groups; g++) {
		for (size_t k = 0; k < width; k++)
			if (!is_hex(s, len, p + k))
				return 0;
		p += width;
		if (is_hex(s, len, p))
			return 0;		/* group too long */
		if (g + 1 < groups) {
			if (p >= len || s[p] != sep)
				return 0;
			p++;
		}
	}
	if (i >= 2 && s[i - 1] == sep && hex_digit(s[i - 2]) >= 0 &&
	    run_free_left(s, i - 1))
		return 0;
	if (p + 1 < len && s[p] == sep && hex_digit(s[p + 1]) >= 0 &&
	    run_free_right(s, len, p + 1))
		return 0;
	return p - i;
}

/*
 * Candidates are found from each maximal hex run: a run of exactly 12
 * digits is a plain MAC whatever surrounds it ("SEP000413922D24",
 * "CP-8841-000e08abcdef"); a run of 2 or 4 may start a separated one. The
 * scan is linear: each run is walked a bounded number of times.
 */
int
certmac_from_text(const char *s, size_t len, struct mac_addr *out)
{
	struct mac_addr	 found, cand;
	int		 have = 0;
	size_t		 i = 0;

	if (s == NULL || len == 0 || memchr(s, '\0', len) != NULL)
		return -1;
	while (i < len) {
		size_t	 run, n = 0;

		if (hex_digit(s[i]) < 0) {
			i++;
			continue;
		}
		for (run = 0; i + run < len && hex_digit(s[i + run]) >= 0;)
			run++;
		if (run == 12)
			n = 12;
		else if (run == 2) {
			if ((n = chain_at(s, len, i, ':', 6, 2)) == 0)
				n = chain_at(s, len, i, '-', 6, 2);
		} else if (run == 4)
			n = chain_at(s, len, i, '.', 3, 4);
		if (n != 0 && mac_parse_n(s + i, n, &cand) == 0) {
			if (have && mac_cmp(&found, &cand) != 0)
				return -1;	/* two different: ambiguous */
			found = cand;
			have = 1;
		}
		i += run;
	}
	if (!have)
		return -1;
	*out = found;
	return 0;
}

/* Looks for the MAC in one ASN.1 string; where is set when it is found. */
static enum place_res
place_string(const ASN1_STRING *str, const char *what, struct mac_addr *out,
    char *where, size_t wheresz)
{
	unsigned char	*utf8 = NULL;
	int		 n;
	enum place_res	 res = PLACE_NONE;

	if (str == NULL)
		goto done;
	if ((n = ASN1_STRING_to_UTF8(&utf8, str)) <= 0)
		goto done;
	if (certmac_from_text((const char *)utf8, (size_t)n, out) == -1)
		goto done;
	if (where != NULL && wheresz > 0)
		snprintf(where, wheresz, "%s", what);
	res = PLACE_FOUND;
done:
	OPENSSL_free(utf8);
	return res;
}

/* The short name of an attribute type, or its dotted OID. */
static void
attr_name(const ASN1_OBJECT *obj, char *buf, size_t sz)
{
	int		 nid = OBJ_obj2nid(obj);
	const char	*sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;

	if (sn != NULL)
		snprintf(buf, sz, "%s", sn);
	else if (OBJ_obj2txt(buf, (int)sz, obj, 1) <= 0)
		snprintf(buf, sz, "?");
}

/*
 * Walks the entries of name: with cn_only, the CN entries; otherwise all
 * the others. prefix names the place ("subject", "SAN dirName"); a CN of
 * the subject itself is just "CN".
 */
static enum place_res
place_name(const X509_NAME *name, int cn_only, const char *prefix,
    struct mac_addr *out, char *where, size_t wheresz)
{
	char		 attr[64], what[96];
	int		 count;

	if (name == NULL)
		return PLACE_NONE;
	count = X509_NAME_entry_count(name);
	for (int i = 0; i < count; i++) {
		const X509_NAME_ENTRY	*e = X509_NAME_get_entry(name, i);
		const ASN1_OBJECT	*obj;
		int			 is_cn;

		if (e == NULL)
			continue;
		obj = X509_NAME_ENTRY_get_object(e);
		is_cn = OBJ_obj2nid(obj) == NID_commonName;
		if (is_cn != cn_only)
			continue;
		attr_name(obj, attr, sizeof(attr));
		if (prefix == NULL)
			snprintf(what, sizeof(what), "%s", attr);
		else
			snprintf(what, sizeof(what), "%s %s", prefix, attr);
		if (place_string(X509_NAME_ENTRY_get_data(e), what, out, where,
		    wheresz) == PLACE_FOUND)
			return PLACE_FOUND;
	}
	return PLACE_NONE;
}

/* An otherName value, if it is one of the character string types. */
static const ASN1_STRING *
othername_string(const OTHERNAME *on)
{
	if (on == NULL || on->value == NULL)
		return NULL;
	switch (on->value->type) {
	case V_ASN1_UTF8STRING:
	case V_ASN1_IA5STRING:
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_VISIBLESTRING:
	case V_ASN1_T61STRING:
	case V_ASN1_BMPSTRING:
	case V_ASN1_UNIVERSALSTRING:
		return on->value->value.asn1_string;
	default:
		return NULL;
	}
}

/*
 * The SANs of one type, in certificate order. Types are taken in the order
 * the header lists them, so which SAN wins does not depend on how the
 * issuer happened to order the extension.
 */
static enum place_res
place_san(const GENERAL_NAMES *gens, int type, struct mac_addr *out,
    char *where, size_t wheresz)
{
	int	 count = sk_GENERAL_NAME_num(gens);

	for (int i = 0; i < count; i++) {
		const GENERAL_NAME	*gen = sk_GENERAL_NAME_value(gens, i);
		enum place_res		 res = PLACE_NONE;

		if (gen == NULL || gen->type != type)
			continue;
		switch (type) {
		case GEN_DNS:
			res = place_string(gen->d.dNSName, "SAN DNS", out,
			    where, wheresz);
			break;
		case GEN_URI:
			res = place_string(gen->d.uniformResourceIdentifier,
			    "SAN URI", out, where, wheresz);
			break;
		case GEN_EMAIL:
			res = place_string(gen->d.rfc822Name, "SAN email", out,
			    where, wheresz);
			break;
		case GEN_DIRNAME:
			/* Its CN first, as for the subject. */
			res = place_name(gen->d.directoryName, 1,
			    "SAN dirName", out, where, wheresz);
			if (res == PLACE_NONE)
				res = place_name(gen->d.directoryName, 0,
				    "SAN dirName", out, where, wheresz);
			break;
		case GEN_OTHERNAME:
			res = place_string(othername_string(gen->d.otherName),
			    "SAN otherName", out, where, wheresz);
			break;
		}
		if (res == PLACE_FOUND)
			return PLACE_FOUND;
	}
	return PLACE_NONE;
}

/*
 * Each place (one attribute, one SAN) is judged on its own: the first that
 * holds exactly one MAC wins; one holding none, two different ones, or a
 * string OpenSSL cannot convert (or with a NUL byte) is passed over. Errors
 * OpenSSL queues while decoding the SAN extension are dropped here, so
 * they cannot be mistaken later for errors of the TLS connection.
 */
int
certmac_find(X509 *cert, struct mac_addr *out, char *where, size_t wheresz)
{
	static const int	 san_order[] = {
		GEN_DNS, GEN_URI, GEN_EMAIL, GEN_DIRNAME, GEN_OTHERNAME,
	};
	GENERAL_NAMES		*gens = NULL;
	const X509_NAME		*subj;
	struct mac_addr		 mac;
	int			 ret = -1;

	if (where != NULL && wheresz > 0)
		where[0] = '\0';
	if (cert == NULL)
		return -1;
	ERR_set_mark();
	subj = X509_get_subject_name(cert);
	if (place_name(subj, 1, NULL, &mac, where, wheresz) == PLACE_FOUND)
		goto found;
	if (place_name(subj, 0, "subject", &mac, where, wheresz) ==
	    PLACE_FOUND)
		goto found;
	gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		goto done;
	for (size_t i = 0; i < sizeof(san_order) / sizeof(san_order[0]); i++)
		if (place_san(gens, san_order[i], &mac, where, wheresz) ==
		    PLACE_FOUND)
			goto found;
	goto done;
found:
	*out = mac;
	ret = 0;
done:
	GENERAL_NAMES_free(gens);
	ERR_pop_to_mark();
	return ret;
}

/*
 * RFC 2253 escaping of the special characters (',', '+', ...) is
 * OpenSSL's; control and non-ASCII bytes are left raw by it and escaped by
 * log_escape() instead, so they read "\x0a" like every other escaped byte
 * in the logs. A backslash OpenSSL wrote comes out doubled ("Doe\\, J").
 */
char *
certmac_subject(X509 *cert, char *buf, size_t sz)
{
	const unsigned long	 flags = XN_FLAG_RFC2253 &
	    ~(unsigned long)(ASN1_STRFLGS_ESC_CTRL | ASN1_STRFLGS_ESC_MSB);
	const X509_NAME		*name;
	BIO			*bio = NULL;
	char			*text;
	long			 n;

	if (sz == 0)
		return buf;
	snprintf(buf, sz, "(unknown)");
	if (cert == NULL || (name = X509_get_subject_name(cert)) == NULL)
		return buf;
	ERR_set_mark();
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		goto done;
	if (X509_NAME_print_ex(bio, name, 0, flags) < 0)
		goto done;
	if ((n = BIO_get_mem_data(bio, &text)) < 0)
		goto done;
	log_escape(buf, sz, text, (size_t)n);
done:
	BIO_free(bio);
	ERR_pop_to_mark();
	return buf;
}
