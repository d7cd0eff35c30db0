/*
 * classify.c - putting a DHCP client in a vendor class.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "classify.h"

static int
ieq(uint8_t a, uint8_t b)
{
	return tolower(a) == tolower(b);
}

static int
has_prefix(const uint8_t *vc, size_t len, const char *p)
{
	size_t plen = strlen(p);

	if (plen > len)
		return 0;
	for (size_t i = 0; i < plen; i++)
		if (!ieq(vc[i], (uint8_t)p[i]))
			return 0;
	return 1;
}

/* Case-insensitive search in binary data (Polycom's Option 60 is binary). */
static int
has_substring(const uint8_t *vc, size_t len, const char *s)
{
	size_t slen = strlen(s);

	if (slen == 0 || slen > len)
		return slen == 0;
	for (size_t i = 0; i + slen <= len; i++)
		if (has_prefix(vc + i, len - i, s))
			return 1;
	return 0;
}

static int
match_vc(const struct cfg_vendor *v, const uint8_t *vc, size_t len)
{
	for (size_t i = 0; i < v->nmatch_exact; i++)
		if (strlen(v->match_exact[i]) == len &&
		    has_prefix(vc, len, v->match_exact[i]))
			return 1;
	for (size_t i = 0; i < v->nmatch_prefix; i++)
		if (has_prefix(vc, len, v->match_prefix[i]))
			return 1;
	for (size_t i = 0; i < v->nmatch_substring; i++)
		if (has_substring(vc, len, v->match_substring[i]))
			return 1;
	return 0;
}

const struct cfg_vendor *
classify(const struct cfg *cfg, const uint8_t *vc, size_t vclen,
    const struct mac_addr *mac)
{
	const struct cfg_vendor *def = NULL;

	while (vc != NULL && vclen > 0 && vc[vclen - 1] == '\0')
		vclen--;
	if (vc != NULL && vclen > 0)
		for (size_t i = 0; i < cfg->nvendors; i++)
			if (match_vc(&cfg->vendors[i], vc, vclen))
				return &cfg->vendors[i];
	for (size_t i = 0; i < cfg->nvendors; i++) {
		const struct cfg_vendor *v = &cfg->vendors[i];

		if (v->is_default && def == NULL)
			def = v;
		if (mac == NULL)
			continue;
		for (size_t k = 0; k < v->noui; k++)
			if (memcmp(v->oui[k], mac->b, 3) == 0)
				return v;
	}
	return def;
}
