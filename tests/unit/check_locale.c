/*
 * check_locale.c - the language and tone-zone tables: lookups in either
 * case, error messages that name the code and list the known ones, values
 * safe to put in XML and text config files, and spot values per vendor
 * against the sources cited in common/phonelocale.c.
 */
#include "config.h"

#include "testutil.h"

#include "phonelocale.h"

/* Every code the brief requires (more are allowed). */
static const char *const want_languages[] = {
	"en", "de", "fr", "es", "it", "nl", "pt", "sv", "da", "nb", "fi",
	"pl", "cs", "ru", "tr",
};
static const char *const want_tones[] = {
	"US", "GB", "DE", "AT", "CH", "FR", "IT", "ES", "NL", "BE", "SE",
	"DK", "NO", "FI", "PL", "CZ", "PT", "AU", "CA",
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

static void
upper(const char *in, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (in[i] >= 'a' && in[i] <= 'z') ? in[i] - 'a' + 'A' :
		    in[i];
	out[i] = '\0';
}

static void
lower(const char *in, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? in[i] - 'A' + 'a' :
		    in[i];
	out[i] = '\0';
}

/* Values go into XML elements/attributes and "key: value" text files. */
static void
value_safe(const char *what, const char *code, enum locale_vendor v,
    const char *val)
{
	if (val == NULL)
		return;
	ck_assert_msg(*val != '\0', "%s %s %s: empty value (use NULL)", what,
	    code, locale_vendor_str(v));
	for (const unsigned char *p = (const unsigned char *)val; *p; p++)
		ck_assert_msg(*p >= 0x20 && *p != 0x7f && *p != '"' &&
		    *p != '\'' && *p != '<' && *p != '>' && *p != '&',
		    "%s %s %s: value \"%s\" has byte 0x%02x", what, code,
		    locale_vendor_str(v), val, *p);
}

START_TEST(test_known_codes_any_case)
{
	char	 buf[16], err[256];

	for (size_t i = 0; i < N(want_languages); i++) {
		const char *c = want_languages[i];

		err[0] = '\0';
		ck_assert_msg(locale_language_check(c, err, sizeof(err)) == 0,
		    "%s: %s", c, err);
		upper(c, buf, sizeof(buf));
		ck_assert_msg(locale_language_check(buf, err, sizeof(err)) == 0,
		    "%s: %s", buf, err);
		/* Mixed case: "De". */
		buf[1] = c[1];
		ck_assert_int_eq(locale_language_check(buf, err, sizeof(err)),
		    0);
	}
	for (size_t i = 0; i < N(want_tones); i++) {
		const char *c = want_tones[i];

		err[0] = '\0';
		ck_assert_msg(locale_tone_check(c, err, sizeof(err)) == 0,
		    "%s: %s", c, err);
		lower(c, buf, sizeof(buf));
		ck_assert_msg(locale_tone_check(buf, err, sizeof(err)) == 0,
		    "%s: %s", buf, err);
	}
	/* Lookups fold case the same way the checks do. */
	ck_assert_str_eq(locale_language("DE", LOCALE_POLYCOM),
	    "German_Germany");
	ck_assert_str_eq(locale_language("dE", LOCALE_POLYCOM),
	    "German_Germany");
	ck_assert_str_eq(locale_tone("de", LOCALE_YEALINK), "Germany");
	ck_assert_str_eq(locale_tone("gB", LOCALE_YEALINK), "Great Britain");
}
END_TEST

START_TEST(test_unknown_codes)
{
	char	 err[512];

	ck_assert_int_eq(locale_language_check("xx", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "unknown language 'xx'") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "known:") != NULL, "%s", err);
	for (size_t i = 0; i < N(want_languages); i++) {
		char needle[8];

		snprintf(needle, sizeof(needle), " %s", want_languages[i]);
		ck_assert_msg(strstr(err, needle) != NULL, "%s lacks%s", err,
		    needle);
	}

	ck_assert_int_eq(locale_tone_check("ZZ", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "'ZZ'") != NULL, "%s", err);
	for (size_t i = 0; i < N(want_tones); i++) {
		char needle[8];

		snprintf(needle, sizeof(needle), " %s", want_tones[i]);
		ck_assert_msg(strstr(err, needle) != NULL, "%s lacks%s", err,
		    needle);
	}

	/* A region subtag is not a language code here. */
	ck_assert_int_eq(locale_language_check("de-DE", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "outside [A-Za-z]"));
	/* Nor is a language a country, or the other way round. */
	ck_assert_int_eq(locale_tone_check("en", err, sizeof(err)), -1);
	ck_assert_int_eq(locale_language_check("US", err, sizeof(err)), -1);

	/* Unknown codes give no value for any vendor. */
	for (int v = 0; v < LOCALE_VENDOR_COUNT; v++) {
		ck_assert_ptr_null(locale_language("xx", v));
		ck_assert_ptr_null(locale_tone("ZZ", v));
	}
}
END_TEST

START_TEST(test_bad_input_refused)
{
	char	 err[256], big[4096];

	ck_assert_int_eq(locale_language_check(NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "empty language code"));
	ck_assert_int_eq(locale_language_check("", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "empty"));
	ck_assert_int_eq(locale_tone_check(NULL, err, sizeof(err)), -1);
	ck_assert_int_eq(locale_tone_check("", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "empty tone zone code"));

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(locale_language_check(big, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "longer than"));
	ck_assert_msg(strlen(err) < 80, "overlong code echoed: %s", err);
	ck_assert_int_eq(locale_tone_check(big, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "longer than"));
	/* "de" followed by junk is not "de". */
	ck_assert_int_eq(locale_language_check("dee", err, sizeof(err)), -1);

	/* Control bytes and quotes are refused and never echoed. */
	ck_assert_int_eq(locale_language_check("d\n", err, sizeof(err)), -1);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_ptr_nonnull(strstr(err, "0x0a"));
	ck_assert_int_eq(locale_tone_check("D'", err, sizeof(err)), -1);
	ck_assert_ptr_null(strchr(err, '\''));

	for (int v = 0; v < LOCALE_VENDOR_COUNT; v++) {
		ck_assert_ptr_null(locale_language(NULL, v));
		ck_assert_ptr_null(locale_language("", v));
		ck_assert_ptr_null(locale_language(big, v));
		ck_assert_ptr_null(locale_tone(NULL, v));
		ck_assert_ptr_null(locale_tone("", v));
		ck_assert_ptr_null(locale_tone(big, v));
	}

	/* err may be absent or empty; the answer is the same. */
	ck_assert_int_eq(locale_language_check("xx", NULL, 0), -1);
	ck_assert_int_eq(locale_language_check("de", NULL, 0), 0);
	err[0] = 'X';
	ck_assert_int_eq(locale_tone_check("ZZ", err, 0), -1);
	ck_assert_int_eq(err[0], 'X');
	/* A short buffer is cut, not overrun. */
	ck_assert_int_eq(locale_tone_check("ZZ", err, 8), -1);
	ck_assert_uint_eq(strlen(err), 7);

	/* Vendors outside the enum give nothing. */
	ck_assert_ptr_null(locale_language("de", LOCALE_VENDOR_COUNT));
	ck_assert_ptr_null(locale_tone("DE", (enum locale_vendor)-1));
}
END_TEST

START_TEST(test_values_safe)
{
	for (size_t i = 0; i < N(want_languages); i++)
		for (int v = 0; v < LOCALE_VENDOR_COUNT; v++)
			value_safe("language", want_languages[i], v,
			    locale_language(want_languages[i], v));
	for (size_t i = 0; i < N(want_tones); i++)
		for (int v = 0; v < LOCALE_VENDOR_COUNT; v++)
			value_safe("tone", want_tones[i], v,
			    locale_tone(want_tones[i], v));

	/*
	 * And every code the tables know, not only the required ones: walk
	 * the known list out of the error message.
	 */
	for (int kind = 0; kind < 2; kind++) {
		char	 err[512], *p, *save = NULL;

		if (kind == 0)
			locale_language_check("xx", err, sizeof(err));
		else
			locale_tone_check("ZZ", err, sizeof(err));
		p = strstr(err, "known: ");
		ck_assert_ptr_nonnull(p);
		p += strlen("known: ");
		p[strcspn(p, ")")] = '\0';
		/* A code may have no vendor value yet: NULL is fine. */
		for (char *c = strtok_r(p, " ", &save); c != NULL;
		    c = strtok_r(NULL, " ", &save)) {
			for (int v = 0; v < LOCALE_VENDOR_COUNT; v++) {
				const char *val = kind == 0 ?
				    locale_language(c, v) : locale_tone(c, v);

				value_safe(kind == 0 ? "language" : "tone", c,
				    v, val);
			}
		}
	}
}
END_TEST

/* Spot values, each against the source cited in common/phonelocale.c. */
START_TEST(test_spot_values)
{
	/* Yealink: voice.tone.country (T58V/T58A admin guide) + lang.gui. */
	ck_assert_str_eq(locale_tone("US", LOCALE_YEALINK), "United States");
	ck_assert_str_eq(locale_tone("CZ", LOCALE_YEALINK), "Czech");
	ck_assert_str_eq(locale_tone("NZ", LOCALE_YEALINK), "New Zealand");
	ck_assert_ptr_null(locale_tone("PL", LOCALE_YEALINK));
	ck_assert_ptr_null(locale_tone("CA", LOCALE_YEALINK));
	ck_assert_str_eq(locale_language("de", LOCALE_YEALINK), "German");
	ck_assert_str_eq(locale_language("en", LOCALE_YEALINK), "English");

	/* snom: tone_scheme and language. */
	ck_assert_str_eq(locale_tone("US", LOCALE_SNOM), "USA");
	ck_assert_str_eq(locale_tone("DE", LOCALE_SNOM), "GER");
	ck_assert_str_eq(locale_language("de", LOCALE_SNOM), "Deutsch");
	ck_assert_str_eq(locale_language("fr", LOCALE_SNOM),
	    "Fran\xc3\xa7" "ais");

	/* Polycom: lcl.ml.lang; no country tone setting. */
	ck_assert_str_eq(locale_language("en", LOCALE_POLYCOM),
	    "English_United_States");
	ck_assert_str_eq(locale_language("nl", LOCALE_POLYCOM),
	    "Dutch_Netherlands");
	/* Cisco: Language_Selection; tones are tone strings, not names. */
	ck_assert_str_eq(locale_language("fr", LOCALE_CISCO), "French");
	/* Grandstream: P1362 takes the ISO code itself. */
	ck_assert_str_eq(locale_language("it", LOCALE_GRANDSTREAM), "it");
	/* Fanvil: Czech is "cz"; tones are indices. */
	ck_assert_str_eq(locale_language("cs", LOCALE_FANVIL), "cz");
	ck_assert_str_eq(locale_tone("DE", LOCALE_FANVIL), "2");
	ck_assert_str_eq(locale_tone("US", LOCALE_FANVIL), "11");
	/* Gigaset N870: Telephony.0.ToneScheme. */
	ck_assert_str_eq(locale_tone("FR", LOCALE_GIGASET), "France");
	ck_assert_ptr_null(locale_language("de", LOCALE_GIGASET));
	/* Aastra: language pack file and tone set; English is built in. */
	ck_assert_str_eq(locale_language("de", LOCALE_AASTRA), "lang_de.txt");
	ck_assert_ptr_null(locale_language("en", LOCALE_AASTRA));
	ck_assert_str_eq(locale_tone("US", LOCALE_AASTRA), "US");
	ck_assert_str_eq(locale_tone("DE", LOCALE_AASTRA), "Germany");

	/* Vendors with no country tone selector give NULL for every zone. */
	for (size_t i = 0; i < N(want_tones); i++) {
		ck_assert_ptr_null(locale_tone(want_tones[i], LOCALE_POLYCOM));
		ck_assert_ptr_null(locale_tone(want_tones[i], LOCALE_CISCO));
		ck_assert_ptr_null(locale_tone(want_tones[i],
		    LOCALE_GRANDSTREAM));
	}
}
END_TEST

/* The vendor whose name is s, or -1: the inverse of locale_vendor_str. */
static int
vendor_from_str(const char *s)
{
	for (int v = 0; v < LOCALE_VENDOR_COUNT; v++)
		if (strcmp(locale_vendor_str(v), s) == 0)
			return v;
	return -1;
}

START_TEST(test_vendor_str)
{
	/* The names templates see as lang.<vendor> / tone.<vendor>. */
	static const char *const names[LOCALE_VENDOR_COUNT] = {
		[LOCALE_YEALINK] = "yealink",
		[LOCALE_SNOM] = "snom",
		[LOCALE_POLYCOM] = "polycom",
		[LOCALE_CISCO] = "cisco",
		[LOCALE_GRANDSTREAM] = "grandstream",
		[LOCALE_FANVIL] = "fanvil",
		[LOCALE_GIGASET] = "gigaset",
		[LOCALE_AASTRA] = "aastra",
	};

	for (int v = 0; v < LOCALE_VENDOR_COUNT; v++) {
		ck_assert_str_eq(locale_vendor_str(v), names[v]);
		ck_assert_int_eq(vendor_from_str(names[v]), v);
	}
	ck_assert_str_eq(locale_vendor_str(LOCALE_VENDOR_COUNT), "unknown");
	ck_assert_str_eq(locale_vendor_str((enum locale_vendor)-1), "unknown");
	ck_assert_int_eq(vendor_from_str("unknown"), -1);
}
END_TEST

static Suite *
locale_suite(void)
{
	Suite	*s = suite_create("locale");
	TCase	*tc = tcase_create("locale");

	tcase_add_test(tc, test_known_codes_any_case);
	tcase_add_test(tc, test_unknown_codes);
	tcase_add_test(tc, test_bad_input_refused);
	tcase_add_test(tc, test_values_safe);
	tcase_add_test(tc, test_spot_values);
	tcase_add_test(tc, test_vendor_str);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(locale_suite());
}
