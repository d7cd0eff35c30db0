/*
 * phonelocale.c - language and tone-zone tables in each phone vendor's words.
 *
 * Why hand-written tables: the words a phone wants ("German", "Deutsch",
 * "German_Germany", "GER", "lang_de.txt", a Fanvil tone index) are each
 * vendor's private vocabulary. No Debian 12 library carries them: ICU and
 * glibc's locale data name languages and countries for people, not for
 * phone firmware, and tone data (Asterisk indications.conf, libtonezone)
 * describe frequencies, not a vendor's selector value. So each column
 * below is copied by hand from the source it cites, and a vendor with no
 * value found for a code gets NULL (the template writes nothing and the
 * phone keeps its own setting) rather than a guess.
 *
 * Sources, per vendor. "wazo" is the open-source provisioning server
 * wazo-platform/wazo-provd-plugins (https://github.com/wazo-platform/
 * wazo-provd-plugins), whose tables are what it sends real phones; it is
 * named where no vendor guide page listing the values was found, and
 * such a column is only as good as that project's field use.
 *
 *  yealink  tone (voice.tone.country): "Yealink SIP-T58V/T58A IP Phones
 *           Administrator Guide", Configuring Audio Features, permitted
 *           values of voice.tone.country, p. 597,
 *           https://www.easymanua.ls/yealink/sip-t58v-a/manual?p=619 .
 *           Poland and Canada are not in that list: NULL.
 *           language (lang.gui / lang.wui): wazo plugins/wazo_yealink/
 *           common/common.py (_LOCALE); no guide page with the list found.
 *  snom     the settings' form (tone_scheme "USA", web_language
 *           "English") from the example in the snom service wiki
 *           "<phone-settings> tag", https://service.snom.com/display/
 *           wiki/%3Cphone-settings%3E+tag ; the other values from wazo
 *           plugins/wazo_snom/common/common.py (_LOCALE: language,
 *           tone_scheme).
 *  polycom  language (lcl.ml.lang): wazo plugins/wazo_polycom/common/
 *           common.py (_LOCALE). Tone: no country-level tone setting was
 *           found in the Polycom material searched: NULL.
 *  cisco    language (SPA/MPP Language_Selection): wazo plugins/
 *           wazo_cisco_spa/common/common.py (_LANGUAGE); the 79xx
 *           enterprise firmware wants a different word ("german_germany",
 *           wazo_cisco_sip), which one value cannot serve. Tone: SPA/MPP
 *           take call-progress tone strings, not a country: the
 *           Regional page's Call Progress Tones fields hold frequency@
 *           level and cadence strings such as 350@-19,440@-19 for the
 *           dial tone ("Configure Miscellaneous Settings in Regional
 *           Voice Parameter", Cisco smb2783, https://www.cisco.com/c/
 *           ja_jp/support/docs/smb/unified-communications/cisco-small-
 *           business-voice-gateways-and-atas/smb2783-configure-
 *           miscellaneous-settings-in-regional-voice-parameter.epub):
 *           NULL.
 *  grandstream  language (P1362): wazo plugins/wazo_grandstream/common/
 *           common.py (LOCALE). Tone: no country selector P-value was
 *           found: NULL.
 *  fanvil   language (<Language>, X-series firmware codes) and tone
 *           (<SelectYourTone>, an index): wazo plugins/wazo_fanvil/
 *           common/common.py (_NEW_SUPPORTED_LANGUAGES, _COUNTRY).
 *  gigaset  tone (N870 Telephony.0.ToneScheme): wazo plugins/wazo_gigaset/
 *           Nx70_83_v2_49_1/common.py (_LOCALE); N510/N720 want a numeric
 *           BS_AE_SwConfig.ucCountryCodeTone instead, not covered here.
 *           Language: no provisioned value found: NULL.
 *  aastra   language pack file (for "language 1: <file>" with
 *           "language: 1") and tone set ("tone set: <name>"), in
 *           aastra.cfg / <model>.cfg / <mac>.cfg (Mitel 6800i Series SIP
 *           Phones Administrator Guide 41-001561-00, Appendix A): values
 *           and parameter use from wazo plugins/wazo_aastra/common/
 *           common.py (_LOCALE) and templates/base.tpl. English needs no
 *           pack (the phone's default): NULL.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "phonelocale.h"

struct locale_row {
	const char	*code;
	const char	*value[LOCALE_VENDOR_COUNT];
};

static const char *const locale_vendor_names[LOCALE_VENDOR_COUNT] = {
	[LOCALE_YEALINK] = "yealink",
	[LOCALE_SNOM] = "snom",
	[LOCALE_POLYCOM] = "polycom",
	[LOCALE_CISCO] = "cisco",
	[LOCALE_GRANDSTREAM] = "grandstream",
	[LOCALE_FANVIL] = "fanvil",
	[LOCALE_GIGASET] = "gigaset",
	[LOCALE_AASTRA] = "aastra",
};

/* ISO 639-1, sorted by code (the error message lists them in order). */
static const struct locale_row locale_languages[] = {
	{ .code = "cs", .value = {
		[LOCALE_FANVIL] = "cz",
	} },
	{ .code = "da" },
	{ .code = "de", .value = {
		[LOCALE_YEALINK] = "German",
		[LOCALE_SNOM] = "Deutsch",
		[LOCALE_POLYCOM] = "German_Germany",
		[LOCALE_CISCO] = "German",
		[LOCALE_GRANDSTREAM] = "de",
		[LOCALE_FANVIL] = "de",
		[LOCALE_AASTRA] = "lang_de.txt",
	} },
	{ .code = "en", .value = {
		[LOCALE_YEALINK] = "English",
		[LOCALE_SNOM] = "English",
		[LOCALE_POLYCOM] = "English_United_States",
		[LOCALE_CISCO] = "English",
		[LOCALE_GRANDSTREAM] = "en",
		[LOCALE_FANVIL] = "en",
	} },
	{ .code = "es", .value = {
		[LOCALE_YEALINK] = "Spanish",
		[LOCALE_SNOM] = "Espanol",
		[LOCALE_POLYCOM] = "Spanish_Spain",
		[LOCALE_CISCO] = "Spanish",
		[LOCALE_GRANDSTREAM] = "es",
		[LOCALE_FANVIL] = "es",
		[LOCALE_AASTRA] = "lang_es.txt",
	} },
	{ .code = "fi" },
	{ .code = "fr", .value = {
		[LOCALE_YEALINK] = "French",
		/* UTF-8 c-cedilla, kept out of the source bytes. */
		[LOCALE_SNOM] = "Fran\xc3\xa7" "ais",
		[LOCALE_POLYCOM] = "French_France",
		[LOCALE_CISCO] = "French",
		[LOCALE_GRANDSTREAM] = "fr",
		[LOCALE_FANVIL] = "fr",
		[LOCALE_AASTRA] = "lang_fr.txt",
	} },
	{ .code = "it", .value = {
		[LOCALE_YEALINK] = "Italian",
		[LOCALE_SNOM] = "Italiano",
		[LOCALE_POLYCOM] = "Italian_Italy",
		[LOCALE_GRANDSTREAM] = "it",
		[LOCALE_FANVIL] = "it",
		[LOCALE_AASTRA] = "lang_it.txt",
	} },
	{ .code = "nb" },
	{ .code = "nl", .value = {
		[LOCALE_SNOM] = "Nederlands",
		[LOCALE_POLYCOM] = "Dutch_Netherlands",
		[LOCALE_GRANDSTREAM] = "nl",
		[LOCALE_FANVIL] = "nl",
		[LOCALE_AASTRA] = "lang_nl_nl.txt",
	} },
	{ .code = "pl", .value = {
		[LOCALE_FANVIL] = "pl",
	} },
	{ .code = "pt", .value = {
		[LOCALE_FANVIL] = "pt",
	} },
	{ .code = "ru", .value = {
		[LOCALE_FANVIL] = "ru",
	} },
	{ .code = "sv" },
	{ .code = "tr", .value = {
		[LOCALE_FANVIL] = "tr",
	} },
};

/* ISO 3166-1 alpha-2, sorted by code. */
static const struct locale_row locale_tones[] = {
	{ .code = "AT", .value = { [LOCALE_YEALINK] = "Austria" } },
	{ .code = "AU", .value = { [LOCALE_YEALINK] = "Australia" } },
	{ .code = "BE", .value = { [LOCALE_YEALINK] = "Belgium" } },
	{ .code = "BR", .value = { [LOCALE_YEALINK] = "Brazil" } },
	{ .code = "CA", .value = { [LOCALE_FANVIL] = "18" } },
	{ .code = "CH", .value = { [LOCALE_YEALINK] = "Switzerland" } },
	{ .code = "CL", .value = { [LOCALE_YEALINK] = "Chile" } },
	{ .code = "CN", .value = { [LOCALE_YEALINK] = "China" } },
	{ .code = "CZ", .value = { [LOCALE_YEALINK] = "Czech" } },
	{ .code = "DE", .value = {
		[LOCALE_YEALINK] = "Germany",
		[LOCALE_SNOM] = "GER",
		[LOCALE_FANVIL] = "2",
		[LOCALE_GIGASET] = "Germany",
		[LOCALE_AASTRA] = "Germany",
	} },
	{ .code = "DK", .value = { [LOCALE_YEALINK] = "Denmark" } },
	{ .code = "ES", .value = {
		[LOCALE_YEALINK] = "Spain",
		[LOCALE_SNOM] = "ESP",
		[LOCALE_FANVIL] = "33",
		[LOCALE_GIGASET] = "Spain",
	} },
	{ .code = "FI", .value = { [LOCALE_YEALINK] = "Finland" } },
	{ .code = "FR", .value = {
		[LOCALE_YEALINK] = "France",
		[LOCALE_SNOM] = "FRA",
		[LOCALE_FANVIL] = "25",
		[LOCALE_GIGASET] = "France",
		[LOCALE_AASTRA] = "France",
	} },
	{ .code = "GB", .value = {
		[LOCALE_YEALINK] = "Great Britain",
		[LOCALE_FANVIL] = "13",
	} },
	{ .code = "GR", .value = { [LOCALE_YEALINK] = "Greece" } },
	{ .code = "HU", .value = { [LOCALE_YEALINK] = "Hungary" } },
	{ .code = "IN", .value = { [LOCALE_YEALINK] = "India" } },
	{ .code = "IT", .value = {
		[LOCALE_YEALINK] = "Italy",
		[LOCALE_SNOM] = "ITA",
		[LOCALE_FANVIL] = "21",
		[LOCALE_AASTRA] = "Italy",
	} },
	{ .code = "JP", .value = { [LOCALE_YEALINK] = "Japan" } },
	{ .code = "LT", .value = { [LOCALE_YEALINK] = "Lithuania" } },
	{ .code = "MX", .value = { [LOCALE_YEALINK] = "Mexico" } },
	{ .code = "NL", .value = {
		[LOCALE_YEALINK] = "Netherlands",
		[LOCALE_SNOM] = "NLD",
		[LOCALE_FANVIL] = "5",
	} },
	{ .code = "NO", .value = { [LOCALE_YEALINK] = "Norway" } },
	{ .code = "NZ", .value = { [LOCALE_YEALINK] = "New Zealand" } },
	{ .code = "PL" },
	{ .code = "PT", .value = { [LOCALE_YEALINK] = "Portugal" } },
	{ .code = "RU", .value = { [LOCALE_YEALINK] = "Russia" } },
	{ .code = "SE", .value = { [LOCALE_YEALINK] = "Sweden" } },
	{ .code = "US", .value = {
		[LOCALE_YEALINK] = "United States",
		[LOCALE_SNOM] = "USA",
		[LOCALE_FANVIL] = "11",
		[LOCALE_AASTRA] = "US",
	} },
};

#define NROWS(a)	(sizeof(a) / sizeof((a)[0]))

const char *
locale_vendor_str(enum locale_vendor v)
{
	if ((int)v < 0 || v >= LOCALE_VENDOR_COUNT)
		return "unknown";
	return locale_vendor_names[v];
}

/* ASCII only, so the answer never depends on the process's C locale. */
static int
locale_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
locale_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
locale_code_eq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (locale_lower((unsigned char)*a) !=
		    locale_lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

/* The row for code, or NULL; code may be anything, including NULL. */
static const struct locale_row *
locale_find(const struct locale_row *rows, size_t n, const char *code)
{
	if (code == NULL || strnlen(code, LOCALE_CODE_MAX + 1) >
	    LOCALE_CODE_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (locale_code_eq(rows[i].code, code))
			return &rows[i];
	return NULL;
}

/*
 * Shared by both checks. what names the kind of code in the message. The
 * code is echoed only once it is known to be short and all letters, so
 * the message never carries a control byte or quote from the config.
 */
static int
locale_check(const struct locale_row *rows, size_t n, const char *what,
    const char *code, char *err, size_t errsz)
{
	char	 known[256];
	size_t	 len, used = 0;

	if (code == NULL || *code == '\0') {
		if (err != NULL && errsz > 0)
			snprintf(err, errsz, "empty %s code", what);
		return -1;
	}
	len = strnlen(code, LOCALE_CODE_MAX + 1);
	if (len > LOCALE_CODE_MAX) {
		if (err != NULL && errsz > 0)
			snprintf(err, errsz, "%s code longer than %d bytes",
			    what, LOCALE_CODE_MAX);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (!locale_alpha((unsigned char)code[i])) {
			if (err != NULL && errsz > 0)
				snprintf(err, errsz, "%s code has a byte "
				    "0x%02x outside [A-Za-z]", what,
				    (unsigned char)code[i]);
			return -1;
		}
	}
	if (locale_find(rows, n, code) != NULL)
		return 0;
	known[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(known + used, sizeof(known) - used, "%s%s",
		    i > 0 ? " " : "", rows[i].code);

		if (w < 0 || (size_t)w >= sizeof(known) - used)
			break;	/* 256 bytes hold both tables' codes */
		used += (size_t)w;
	}
	if (err != NULL && errsz > 0)
		snprintf(err, errsz, "unknown %s '%s' (known: %s)", what, code,
		    known);
	return -1;
}

int
locale_language_check(const char *code, char *err, size_t errsz)
{
	return locale_check(locale_languages, NROWS(locale_languages),
	    "language", code, err, errsz);
}

int
locale_tone_check(const char *code, char *err, size_t errsz)
{
	return locale_check(locale_tones, NROWS(locale_tones), "tone zone",
	    code, err, errsz);
}

static const char *
locale_value(const struct locale_row *rows, size_t n, const char *code,
    enum locale_vendor v)
{
	const struct locale_row *row;

	if ((int)v < 0 || v >= LOCALE_VENDOR_COUNT)
		return NULL;
	if ((row = locale_find(rows, n, code)) == NULL)
		return NULL;
	return row->value[v];
}

const char *
locale_language(const char *code, enum locale_vendor v)
{
	return locale_value(locale_languages, NROWS(locale_languages), code,
	    v);
}

const char *
locale_tone(const char *code, enum locale_vendor v)
{
	return locale_value(locale_tones, NROWS(locale_tones), code, v);
}
