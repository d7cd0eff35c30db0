/*
 * registry.c - the LMDB device registry. The only file that includes
 * lmdb.h: every MDB_* code is translated to enum reg_err here.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <lmdb.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "log.h"
#include "registry.h"
#include "secret.h"
#include "wire.h"

#define REC_VERSION	1	/* layout of the records this build writes */
/*
 * Users: version 1 held the SIP password and the token in clear; version
 * 2 seals both (secret.h). Schema 2 is a registry whose users are all
 * version 2: reg_open() migrates a schema 1 registry when it may write.
 */
#define USER_REC_V1	1
#define USER_REC_V2	2
#define USER_REC_VERSION 3	/* 3: the token before the last rotation */
#define DEVICE_REC_VERSION 2	/* 2: the phone's sealed admin password */
#define REC_BUF		1024	/* room for the largest record */

static const struct {
	const char	*name;
	unsigned	 flags;
} tables[REG_T_COUNT] = {
	[REG_T_USERS] = { "users", 0 },
	[REG_T_TOKENS] = { "tokens", 0 },
	[REG_T_DEVICES] = { "devices", 0 },
	[REG_T_LEASES] = { "leases", 0 },
	[REG_T_LEASE_CLIENT] = { "lease_client", MDB_DUPSORT | MDB_DUPFIXED },
	[REG_T_LEASE_MAC] = { "lease_mac", MDB_DUPSORT | MDB_DUPFIXED },
	[REG_T_META] = { "meta", 0 },
	[REG_T_FETCHES] = { "fetches", 0 },
	[REG_T_ENROLL] = { "enroll", 0 },
	[REG_T_FA_TOKENS] = { "fa_tokens", 0 },
	[REG_T_HISTORY] = { "history", 0 },
};

struct reg {
	MDB_env		*env;
	MDB_dbi		 dbi[REG_T_COUNT];
	int		 missing[REG_T_COUNT];
	unsigned	 schema;
	char		*path;
	struct secret_key key;
	int		 have_key;	/* 0: secrets read back sealed */
};

const char *
reg_strerror(int err)
{
	switch (err) {
	case REG_OK:
		return "no error";
	case REG_EIO:
		return "registry I/O error";
	case REG_EFULL:
		return "registry is full (raise registry.map_size_mb)";
	case REG_ESCHEMA:
		return "registry was written by a newer provbox";
	case REG_ECORRUPT:
		return "registry record is corrupt";
	case REG_EINVAL:
		return "value does not fit a registry record";
	case REG_ENOMEM:
		return "out of memory";
	default:
		return "unknown registry error";
	}
}

const char *
lease_state_str(enum lease_state state)
{
	switch (state) {
	case LEASE_OFFERED:
		return "offered";
	case LEASE_BOUND:
		return "bound";
	case LEASE_RELEASED:
		return "released";
	case LEASE_DECLINED:
		return "declined";
	default:
		return "unknown";
	}
}

/* A full disk fails every transaction: one limit for their warnings. */
static struct log_ratelimit rl_txn = LOG_RATELIMIT_CONFIGURED;

/* Translates an LMDB (or errno) code, sets the sticky error, returns -1. */
static int
txn_fail(struct reg_txn *txn, int rc, const char *what)
{
	int err;

	switch (rc) {
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
		err = REG_EFULL;
		break;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_INCOMPATIBLE:
	case MDB_BAD_VALSIZE:
		err = REG_ECORRUPT;
		break;
	case ENOMEM:
		err = REG_ENOMEM;
		break;
	default:
		err = REG_EIO;
		break;
	}
	if (txn->err == REG_OK) {
		txn->err = err;
		/* Once per failed transaction: per packet on a full disk. */
		log_warnx_rl(&rl_txn, "registry %s: %s: %s", txn->reg->path,
		    what, mdb_strerror(rc));
	}
	return -1;
}

static int
txn_set_err(struct reg_txn *txn, int err)
{
	if (txn->err == REG_OK)
		txn->err = err;
	return -1;
}

static int
mkdir_p(const char *path, mode_t mode)
{
	char	*p, *s;
	int	 ret = -1;

	if ((p = strdup(path)) == NULL)
		return -1;
	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			goto done;
		*s = '/';
	}
	if (mkdir(p, mode) != 0 && errno != EEXIST)
		goto done;
	ret = 0;
done:
	free(p);
	return ret;
}

/*
 * Root opening a registry directory that belongs to another user (the
 * daemons' user, as the packages set it up) hands the files it may just
 * have created to that user, so an admin's provboxctl run before the
 * daemons' first start does not lock them out.
 */
static void
give_to_dir_owner(const char *path)
{
	static const char *const files[] = { "data.mdb", "lock.mdb" };
	struct stat	 dir, st;
	char		 f[4096];

	if (geteuid() != 0 || stat(path, &dir) != 0 || dir.st_uid == 0)
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(f, sizeof(f), "%s/%s", path, files[i]);
		if (lstat(f, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == 0 && chown(f, dir.st_uid, dir.st_gid) != 0)
			log_warn("cannot give %s to the registry's owner", f);
	}
}

/*
 * The registry holds every phone's SIP password (sealed) and every lease:
 * a daemon refuses to run on one that other users may read, or on a
 * directory where they may swap its files.
 */
static int
check_private(const char *path, char *err, size_t errsz)
{
	struct stat	st;
	char		f[4096];

	if (stat(path, &st) == 0 && (st.st_mode & S_IWOTH)) {
		snprintf(err, errsz, "registry directory %s has mode %04o: "
		    "every user may replace its files (chmod 700 %s)", path,
		    (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	snprintf(f, sizeof(f), "%s/data.mdb", path);
	if (stat(f, &st) == 0 && (st.st_mode & (S_IROTH | S_IWOTH))) {
		snprintf(err, errsz, "registry %s has mode %04o: every user "
		    "may read it (chmod 600 %s)", f,
		    (unsigned)(st.st_mode & 07777), f);
		return -1;
	}
	return 0;
}

/* Loads (or, opening for writing, creates) path/secret.key. */
static int
open_key(struct reg *reg, int rdonly, char *err, size_t errsz)
{
	char	f[4096];
	int	r;

	if (snprintf(f, sizeof(f), "%s/%s", reg->path, SECRET_KEY_FILE) >=
	    (int)sizeof(f)) {
		snprintf(err, errsz, "registry path too long: %s", reg->path);
		return -1;
	}
	r = secret_key_load(f, !rdonly, &reg->key, err, errsz);
	if (r == 1 && rdonly)
		return 0;	/* readers without the key see sealed users */
	if (r != 0)
		return -1;
	reg->have_key = 1;
	return 0;
}

static size_t	user_encode(const struct reg *, const struct reg_user *,
		    uint8_t *, size_t);
static int	user_decode(const struct reg *, const MDB_val *,
		    const MDB_val *, struct reg_user *);
static int	enroll_decode(const struct reg *, const MDB_val *,
		    const MDB_val *, struct reg_enroll *);

/*
 * Schema 1 -> 2: every user record is rewritten with its secrets sealed,
 * inside the opening transaction, so a registry is never half migrated.
 * The pages that held the clear text are free pages of the file until
 * LMDB reuses them; mdb_copy -c drops them at once.
 * Schema 2 -> 3: the enrollment tables, created empty by reg_open(); every
 * device starts as new, and users, devices, tokens and leases stay as they
 * are.
 */
static int
migrate(struct reg *reg, MDB_txn *t, char *err, size_t errsz)
{
	MDB_cursor	*c = NULL;
	MDB_val		 k, v, mk = { 6, (void *)"schema" };
	struct reg_user	 u;
	uint8_t		 buf[REC_BUF], sv[4];
	struct wire	 w;
	size_t		 len;
	unsigned	 n = 0;
	int		 rc, e;

	if ((rc = mdb_cursor_open(t, reg->dbi[REG_T_USERS], &c)) != 0)
		goto lmdb;
	for (rc = reg->schema >= 2 ? MDB_NOTFOUND :
	    mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if ((e = user_decode(reg, &k, &v, &u)) != REG_OK) {
			snprintf(err, errsz, "cannot migrate registry %s: user "
			    "%.*s: %s", reg->path, (int)k.mv_size,
			    (const char *)k.mv_data, reg_strerror(e));
			goto fail;
		}
		len = user_encode(reg, &u, buf, sizeof(buf));
		reg_user_clear(&u);
		if (len == 0) {
			snprintf(err, errsz, "cannot migrate registry %s: user "
			    "%.*s does not fit a record", reg->path,
			    (int)k.mv_size, (const char *)k.mv_data);
			goto fail;
		}
		v.mv_data = buf;
		v.mv_size = len;
		rc = mdb_cursor_put(c, &k, &v, MDB_CURRENT);
		OPENSSL_cleanse(buf, sizeof(buf));
		if (rc != 0)
			goto lmdb;
		n++;
	}
	if (rc != MDB_NOTFOUND)
		goto lmdb;
	mdb_cursor_close(c);
	c = NULL;
	wire_init(&w, sv, sizeof(sv));
	wire_write_u32(&w, REG_SCHEMA_VERSION);
	v.mv_data = sv;
	v.mv_size = sizeof(sv);
	if ((rc = mdb_put(t, reg->dbi[REG_T_META], &mk, &v, 0)) != 0)
		goto lmdb;
	log_notice("registry %s: migrated from schema %u to %u (%u users' "
	    "secrets sealed; every device starts as new: open an enrollment "
	    "window with provboxctl enroll)", reg->path, reg->schema,
	    REG_SCHEMA_VERSION, n);
	reg->schema = REG_SCHEMA_VERSION;
	return 0;
lmdb:
	snprintf(err, errsz, "cannot migrate registry %s: %s", reg->path,
	    mdb_strerror(rc));
fail:
	if (c != NULL)
		mdb_cursor_close(c);
	return -1;
}

static int
begin_raw(MDB_env *env, unsigned flags, MDB_txn **out)
{
	int rc = mdb_txn_begin(env, NULL, flags, out);

	if (rc == MDB_MAP_RESIZED) {
		/* Another process grew the map: adopt its size and retry. */
		if ((rc = mdb_env_set_mapsize(env, 0)) == 0)
			rc = mdb_txn_begin(env, NULL, flags, out);
	}
	return rc;
}

int
reg_open(const char *path, size_t map_size, unsigned flags,
    struct reg **out, char *err, size_t errsz)
{
	struct reg	*reg = NULL;
	MDB_txn		*t = NULL;
	MDB_val		 k = { 6, (void *)"schema" }, v;
	unsigned	 envflags = MDB_NOTLS;
	int		 rdonly = (flags & REG_RDONLY) != 0, rc, dead;

	*out = NULL;
	if ((reg = calloc(1, sizeof(*reg))) == NULL ||
	    (reg->path = strdup(path)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	if (!rdonly && mkdir_p(path, 0700) != 0) {
		snprintf(err, errsz, "cannot create registry directory %s: %s",
		    path, strerror(errno));
		goto fail;
	}
	if (flags & REG_NOSYNC)
		envflags |= MDB_NOSYNC;
	if (rdonly)
		envflags |= MDB_RDONLY;
	/*
	 * MDB_NOTLS: a read transaction is not tied to its thread, so a
	 * daemon can keep one for reuse (reset/renew) and still write.
	 */
	if ((rc = mdb_env_create(&reg->env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(reg->env, REG_T_COUNT + 4)) != 0 ||
	    (rc = mdb_env_set_mapsize(reg->env, map_size)) != 0 ||
	    (rc = mdb_env_open(reg->env, path, envflags, 0600)) != 0) {
		snprintf(err, errsz, "cannot open registry %s: %s", path,
		    mdb_strerror(rc));
		goto fail;
	}
	/* Slots left by processes that died inside a read transaction. */
	mdb_reader_check(reg->env, &dead);
	if (!rdonly) {
		give_to_dir_owner(path);
		if (check_private(path, err, errsz) != 0)
			goto fail;
	}
	if (open_key(reg, rdonly, err, errsz) != 0)
		goto fail;

	if ((rc = begin_raw(reg->env, rdonly ? MDB_RDONLY : 0, &t)) != 0) {
		snprintf(err, errsz, "cannot begin a transaction on registry "
		    "%s: %s", path, mdb_strerror(rc));
		goto fail;
	}
	for (int i = 0; i < REG_T_COUNT; i++) {
		rc = mdb_dbi_open(t, tables[i].name, tables[i].flags |
		    (rdonly ? 0 : MDB_CREATE), &reg->dbi[i]);
		/* A table newer than the registry: empty until a write. */
		if (rc == MDB_NOTFOUND && rdonly && (i == REG_T_FETCHES ||
		    i == REG_T_ENROLL || i == REG_T_FA_TOKENS ||
		    i == REG_T_HISTORY)) {
			reg->missing[i] = 1;
			continue;
		}
		if (rc == MDB_NOTFOUND) {
			snprintf(err, errsz, "registry %s is not initialised "
			    "(run provboxctl sync)", path);
			goto fail;
		}
		if (rc != 0) {
			snprintf(err, errsz, "cannot open table %s in registry "
			    "%s: %s", tables[i].name, path, mdb_strerror(rc));
			goto fail;
		}
	}
	rc = mdb_get(t, reg->dbi[REG_T_META], &k, &v);
	if (rc == MDB_NOTFOUND && !rdonly) {
		uint8_t		 buf[4];
		struct wire	 w;

		wire_init(&w, buf, sizeof(buf));
		wire_write_u32(&w, REG_SCHEMA_VERSION);
		v.mv_data = buf;
		v.mv_size = sizeof(buf);
		if ((rc = mdb_put(t, reg->dbi[REG_T_META], &k, &v, 0)) != 0) {
			snprintf(err, errsz, "cannot initialise registry %s: "
			    "%s", path, mdb_strerror(rc));
			goto fail;
		}
		reg->schema = REG_SCHEMA_VERSION;
	} else if (rc != 0) {
		snprintf(err, errsz, "registry %s has no schema version: %s",
		    path, mdb_strerror(rc));
		goto fail;
	} else {
		struct wire w;

		wire_init(&w, v.mv_data, v.mv_size);
		reg->schema = wire_read_u32(&w);
		if (w.err || w.rem != 0) {
			snprintf(err, errsz, "registry %s has a malformed "
			    "schema version record", path);
			goto fail;
		}
	}
	if (reg->schema > REG_SCHEMA_VERSION) {
		snprintf(err, errsz, "registry %s has schema version %u, but "
		    "this provbox understands up to version %u: run the "
		    "provbox that wrote it, or upgrade", path, reg->schema,
		    REG_SCHEMA_VERSION);
		goto fail;
	}
	if (reg->schema < REG_SCHEMA_VERSION && !rdonly &&
	    migrate(reg, t, err, errsz) != 0)
		goto fail;
	if ((rc = mdb_txn_commit(t)) != 0) {
		t = NULL;
		snprintf(err, errsz, "cannot initialise registry %s: %s",
		    path, mdb_strerror(rc));
		goto fail;
	}
	*out = reg;
	return 0;
fail:
	if (t != NULL)
		mdb_txn_abort(t);
	reg_close(reg);
	return -1;
}

void
reg_close(struct reg *reg)
{
	if (reg == NULL)
		return;
	secret_key_clear(&reg->key);
	if (reg->env != NULL)
		mdb_env_close(reg->env);
	free(reg->path);
	free(reg);
}

unsigned
reg_schema_version(const struct reg *reg)
{
	return reg->schema;
}

int
reg_has_secret_key(const struct reg *reg)
{
	return reg->have_key;
}

/* What a config value sealed by provboxctl seal is bound to. */
static const char config_aad[] = "provbox config secret";

int
reg_config_seal(const struct reg *reg, const char *clear, char *out,
    size_t outsz)
{
	uint8_t	sealed[REG_CONFIG_SECRET_MAX + SECRET_OVERHEAD];
	size_t	len = strlen(clear), need;
	int	ret = -1;

	need = sizeof(REG_SEALED_PREFIX) - 1 + 4 * ((len + SECRET_OVERHEAD +
	    2) / 3) + 1;
	if (!reg->have_key || len == 0 || len > REG_CONFIG_SECRET_MAX ||
	    need > outsz || secret_seal(&reg->key, config_aad,
	    sizeof(config_aad) - 1, clear, len, sealed) != 0)
		goto done;
	memcpy(out, REG_SEALED_PREFIX, sizeof(REG_SEALED_PREFIX) - 1);
	EVP_EncodeBlock((unsigned char *)out + sizeof(REG_SEALED_PREFIX) - 1,
	    sealed, (int)(len + SECRET_OVERHEAD));
	ret = 0;
done:
	OPENSSL_cleanse(sealed, sizeof(sealed));
	return ret;
}

int
reg_config_open(const struct reg *reg, const char *value, char *out,
    size_t outsz)
{
	uint8_t		 raw[((REG_CONFIG_SECRET_MAX + SECRET_OVERHEAD + 2) /
			    3) * 3 + 3];
	const char	*b64 = value + sizeof(REG_SEALED_PREFIX) - 1;
	size_t		 blen = strlen(b64), pad = 0;
	int		 n, ret = -1;

	if (strncmp(value, REG_SEALED_PREFIX, sizeof(REG_SEALED_PREFIX) - 1) !=
	    0 || !reg->have_key || blen == 0 || blen % 4 != 0 ||
	    blen / 4 * 3 > sizeof(raw))
		return -1;
	for (size_t i = 0; i < blen; i++)
		if (!isalnum((unsigned char)b64[i]) && b64[i] != '+' &&
		    b64[i] != '/' && (b64[i] != '=' || i + 2 < blen))
			return -1;
	pad = (b64[blen - 1] == '=') + (b64[blen - 2] == '=');
	if ((n = EVP_DecodeBlock(raw, (const unsigned char *)b64,
	    (int)blen)) < 0 || (size_t)n < pad + SECRET_OVERHEAD + 1 ||
	    (size_t)n - pad - SECRET_OVERHEAD >= outsz)
		goto done;
	n -= (int)pad;
	if (secret_open(&reg->key, config_aad, sizeof(config_aad) - 1, raw,
	    (size_t)n, out) != 0)
		goto done;
	out[n - SECRET_OVERHEAD] = '\0';
	/* A NUL inside would cut it short: seal never makes one. */
	ret = strlen(out) == (size_t)n - SECRET_OVERHEAD ? 0 : -1;
	if (ret != 0)
		OPENSSL_cleanse(out, outsz);
done:
	OPENSSL_cleanse(raw, sizeof(raw));
	return ret;
}

int
reg_config_opener(const void *reg, const char *sealed, char *out,
    size_t outsz)
{
	return reg_config_open(reg, sealed, out, outsz);
}

int
reg_txn_begin(struct reg *reg, struct reg_txn *txn, int rdonly)
{
	MDB_txn	*t;
	int	 rc;

	memset(txn, 0, sizeof(*txn));
	txn->reg = reg;
	txn->rdonly = rdonly;
	if ((rc = begin_raw(reg->env, rdonly ? MDB_RDONLY : 0, &t)) != 0)
		return txn_fail(txn, rc, "begin");
	txn->txn = t;
	return 0;
}

int
reg_txn_commit(struct reg_txn *txn)
{
	int rc;

	if (txn->txn == NULL)
		return -1;
	if (txn->err != REG_OK) {
		reg_txn_abort(txn);
		return -1;
	}
	rc = mdb_txn_commit(txn->txn);
	txn->txn = NULL;
	if (rc != 0)
		return txn_fail(txn, rc, "commit");
	return 0;
}

void
reg_txn_abort(struct reg_txn *txn)
{
	if (txn->txn != NULL)
		mdb_txn_abort(txn->txn);
	txn->txn = NULL;
}

void
reg_txn_reset(struct reg_txn *txn)
{
	if (txn->txn != NULL && txn->rdonly)
		mdb_txn_reset(txn->txn);
}

int
reg_txn_renew(struct reg_txn *txn)
{
	int rc;

	txn->err = REG_OK;
	if (txn->txn == NULL || !txn->rdonly)
		return txn_set_err(txn, REG_EIO);
	if ((rc = mdb_txn_renew(txn->txn)) != 0)
		return txn_fail(txn, rc, "renew");
	return 0;
}

/* Common checks at the top of every operation. */
static int
txn_ok(struct reg_txn *txn, int write)
{
	if (txn->txn == NULL)
		return txn_set_err(txn, REG_EIO);
	if (txn->err != REG_OK)
		return -1;
	if (write && txn->rdonly)
		return txn_set_err(txn, REG_EINVAL);
	return 0;
}

static int
db_get(struct reg_txn *txn, enum reg_table t, const void *key, size_t klen,
    MDB_val *v)
{
	MDB_val k = { klen, (void *)(uintptr_t)key };
	int	rc;

	if (txn_ok(txn, 0) != 0)
		return -1;
	if (txn->reg->missing[t])
		return REG_NOTFOUND;
	rc = mdb_get(txn->txn, txn->reg->dbi[t], &k, v);
	if (rc == MDB_NOTFOUND)
		return REG_NOTFOUND;
	if (rc != 0)
		return txn_fail(txn, rc, "get");
	return 0;
}

static int
db_put(struct reg_txn *txn, enum reg_table t, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	MDB_val k = { klen, (void *)(uintptr_t)key };
	MDB_val v = { vlen, (void *)(uintptr_t)val };
	int	rc;

	if (txn_ok(txn, 1) != 0)
		return -1;
	if ((rc = mdb_put(txn->txn, txn->reg->dbi[t], &k, &v, 0)) != 0)
		return txn_fail(txn, rc, "put");
	return 0;
}

/* Deletes key (or one duplicate, val) if present. */
static int
db_del(struct reg_txn *txn, enum reg_table t, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	MDB_val k = { klen, (void *)(uintptr_t)key };
	MDB_val v = { vlen, (void *)(uintptr_t)val };
	int	rc;

	if (txn_ok(txn, 1) != 0)
		return -1;
	rc = mdb_del(txn->txn, txn->reg->dbi[t], &k, val != NULL ? &v : NULL);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return txn_fail(txn, rc, "del");
	return 0;
}

/* Strings in records: u16 length, then the bytes. */
static void
put_str(struct wire *w, const char *s)
{
	size_t len = strlen(s);

	if (len > 0xffff) {
		w->err = 1;
		return;
	}
	wire_write_u16(w, (uint16_t)len);
	wire_write(w, s, len);
}

static void
get_str(struct wire *w, char *dst, size_t dstsz)
{
	size_t len = wire_read_u16(w);

	if (len >= dstsz) {
		w->err = 1;
		dst[0] = '\0';
		return;
	}
	wire_read(w, dst, len);
	dst[w->err ? 0 : len] = '\0';
}

static void
put_bytes8(struct wire *w, const uint8_t *b, size_t len)
{
	wire_write_u8(w, (uint8_t)len);
	wire_write(w, b, len);
}

static uint8_t
get_bytes8(struct wire *w, uint8_t *dst, size_t dstsz)
{
	uint8_t len = wire_read_u8(w);

	if (len > dstsz) {
		w->err = 1;
		return 0;
	}
	wire_read(w, dst, len);
	return w->err ? 0 : len;
}

/*
 * Reads and checks the version byte that starts every record: up to max
 * is understood. The version goes to *ver when ver is not NULL.
 */
static int
rec_begin_v(struct wire *w, const MDB_val *v, uint8_t max, uint8_t *ver)
{
	uint8_t rv;

	wire_init(w, v->mv_data, v->mv_size);
	rv = wire_read_u8(w);
	if (w->err || rv == 0)
		return REG_ECORRUPT;
	if (rv > max)
		return REG_ESCHEMA;
	if (ver != NULL)
		*ver = rv;
	return REG_OK;
}

static int
rec_begin(struct wire *w, const MDB_val *v)
{
	return rec_begin_v(w, v, REC_VERSION, NULL);
}

/* What a sealed user field is bound to: the field and the user. */
static size_t
user_aad(const char *field, const char *name, uint8_t *aad, size_t sz)
{
	int n = snprintf((char *)aad, sz, "provbox user %s", field);
	size_t len = strlen(name);

	if (n < 0 || (size_t)n + 1 + len > sz)
		return 0;
	aad[n] = '\0';
	memcpy(aad + n + 1, name, len);
	return (size_t)n + 1 + len;
}

/* A secret string, sealed: u16 length, then nonce || ciphertext || tag. */
static void
put_sealed(struct wire *w, const struct reg *reg, const char *field,
    const char *name, const char *s)
{
	uint8_t	aad[48 + CFG_NAME_MAX], out[REC_BUF];
	size_t	len = strlen(s), aadlen;

	aadlen = user_aad(field, name, aad, sizeof(aad));
	if (!reg->have_key || aadlen == 0 || len + SECRET_OVERHEAD >
	    sizeof(out) || secret_seal(&reg->key, aad, aadlen, s, len,
	    out) != 0) {
		w->err = 1;
		return;
	}
	wire_write_u16(w, (uint16_t)(len + SECRET_OVERHEAD));
	wire_write(w, out, len + SECRET_OVERHEAD);
	OPENSSL_cleanse(out, len + SECRET_OVERHEAD);
}

/*
 * Reads a sealed string into dst. Without the key, or with a key that
 * does not open it, the field reads back empty and *sealed says which.
 */
static void
get_sealed(struct wire *w, const struct reg *reg, const char *field,
    const char *name, char *dst, size_t dstsz, int *sealed)
{
	uint8_t	aad[48 + CFG_NAME_MAX], in[REC_BUF];
	size_t	len = wire_read_u16(w), aadlen;

	dst[0] = '\0';
	if (len < SECRET_OVERHEAD || len - SECRET_OVERHEAD >= dstsz) {
		w->err = 1;
		return;
	}
	wire_read(w, in, len);
	if (w->err)
		return;
	if (!reg->have_key) {
		*sealed = REG_SEALED_NO_KEY;
		return;
	}
	aadlen = user_aad(field, name, aad, sizeof(aad));
	if (aadlen == 0 || secret_open(&reg->key, aad, aadlen, in, len,
	    dst) != 0) {
		/* Another key (secret.key replaced), or altered bytes. */
		*sealed = REG_SEALED_OTHER_KEY;
		dst[0] = '\0';
		return;
	}
	dst[len - SECRET_OVERHEAD] = '\0';
	/* A NUL inside would cut the string short; no config writes one. */
	if (strlen(dst) != len - SECRET_OVERHEAD)
		w->err = 1;
}

static size_t
user_encode(const struct reg *reg, const struct reg_user *u, uint8_t *buf,
    size_t sz)
{
	struct wire w;

	wire_init(&w, buf, sz);
	wire_write_u8(&w, USER_REC_VERSION);
	put_str(&w, u->display_name);
	put_str(&w, u->sip_user);
	put_sealed(&w, reg, "sip_password", u->name, u->sip_password);
	put_str(&w, u->sip_server);
	wire_write_u16(&w, u->sip_port);
	put_sealed(&w, reg, "token", u->name, u->token);
	wire_write_u64(&w, (uint64_t)u->token_created);
	put_sealed(&w, reg, "old_token", u->name, u->old_token);
	wire_write_u64(&w, (uint64_t)u->old_until);
	return w.err ? 0 : sz - w.rem;
}

static int
user_decode(const struct reg *reg, const MDB_val *k, const MDB_val *v,
    struct reg_user *u)
{
	struct wire	w;
	uint8_t		ver = 0;
	int		e;

	memset(u, 0, sizeof(*u));
	if (k->mv_size >= sizeof(u->name))
		return REG_ECORRUPT;
	memcpy(u->name, k->mv_data, k->mv_size);
	u->name[k->mv_size] = '\0';
	if ((e = rec_begin_v(&w, v, USER_REC_VERSION, &ver)) != REG_OK)
		return e;
	get_str(&w, u->display_name, sizeof(u->display_name));
	get_str(&w, u->sip_user, sizeof(u->sip_user));
	if (ver == USER_REC_V1)
		get_str(&w, u->sip_password, sizeof(u->sip_password));
	else
		get_sealed(&w, reg, "sip_password", u->name, u->sip_password,
		    sizeof(u->sip_password), &u->secrets_sealed);
	get_str(&w, u->sip_server, sizeof(u->sip_server));
	u->sip_port = wire_read_u16(&w);
	if (ver == USER_REC_V1)
		get_str(&w, u->token, sizeof(u->token));
	else
		get_sealed(&w, reg, "token", u->name, u->token,
		    sizeof(u->token), &u->secrets_sealed);
	u->token_created = (int64_t)wire_read_u64(&w);
	if (ver > USER_REC_V2) {
		get_sealed(&w, reg, "old_token", u->name, u->old_token,
		    sizeof(u->old_token), &u->secrets_sealed);
		u->old_until = (int64_t)wire_read_u64(&w);
	}
	if (w.err) {
		reg_user_clear(u);
		return REG_ECORRUPT;
	}
	return REG_OK;
}

void
reg_user_clear(struct reg_user *u)
{
	OPENSSL_cleanse(u->sip_password, sizeof(u->sip_password));
	OPENSSL_cleanse(u->token, sizeof(u->token));
	OPENSSL_cleanse(u->old_token, sizeof(u->old_token));
}

int
reg_user_get(struct reg_txn *txn, const char *name, struct reg_user *out)
{
	MDB_val	k = { strlen(name), (void *)(uintptr_t)name }, v;
	int	r, e;

	if ((r = db_get(txn, REG_T_USERS, name, strlen(name), &v)) != 0)
		return r;
	if ((e = user_decode(txn->reg, &k, &v, out)) != REG_OK)
		return txn_set_err(txn, e);
	return 0;
}

/*
 * Drops every token index entry of user name: for a user whose token
 * could not be read back (sealed with another key), whose index entry
 * cannot be found from the token. O(tokens); only on that rare path.
 */
static int
token_index_purge(struct reg_txn *txn, const char *name)
{
	MDB_cursor	*c = NULL;
	MDB_val		 k, v;
	size_t		 len = strlen(name);
	int		 rc;

	if (txn_ok(txn, 1) != 0)
		return -1;
	if ((rc = mdb_cursor_open(txn->txn, txn->reg->dbi[REG_T_TOKENS],
	    &c)) != 0)
		return txn_fail(txn, rc, "cursor");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (v.mv_size != len || memcmp(v.mv_data, name, len) != 0)
			continue;
		if ((rc = mdb_cursor_del(c, 0)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return txn_fail(txn, rc, "token index purge");
	return 0;
}

static int
token_index(struct reg_txn *txn, const char *token, const char *name)
{
	uint8_t h[TOKEN_HASH_LEN];

	if (token_hash(token, strlen(token), h) != 0)
		return txn_set_err(txn, REG_EIO);
	if (name != NULL)
		return db_put(txn, REG_T_TOKENS, h, sizeof(h), name,
		    strlen(name));
	return db_del(txn, REG_T_TOKENS, h, sizeof(h), NULL, 0);
}

/* 1 if s is one of u's live tokens (current or old). */
static int
user_has_token(const struct reg_user *u, const char *s)
{
	return s[0] != '\0' && (strcmp(u->token, s) == 0 ||
	    strcmp(u->old_token, s) == 0);
}

int
reg_user_put(struct reg_txn *txn, const struct reg_user *u)
{
	struct reg_user	 old;
	uint8_t		 buf[REC_BUF];
	size_t		 len;
	int		 r, ret = -1;

	memset(&old, 0, sizeof(old));
	/* A copy read without the key would overwrite secrets with blanks. */
	if (u->name[0] == '\0' || u->secrets_sealed || (u->token[0] != '\0' &&
	    !token_valid_format(u->token, strlen(u->token))) ||
	    (u->old_token[0] != '\0' && !token_valid_format(u->old_token,
	    strlen(u->old_token))))
		return txn_set_err(txn, REG_EINVAL);
	if ((len = user_encode(txn->reg, u, buf, sizeof(buf))) == 0)
		return txn_set_err(txn, REG_EINVAL);
	if ((r = reg_user_get(txn, u->name, &old)) < 0)
		goto done;
	if (r == 0 && old.secrets_sealed != 0) {
		if (token_index_purge(txn, u->name) != 0)
			goto done;
		r = REG_NOTFOUND;	/* nothing of the old one is known */
	}
	if (r != 0)
		memset(&old, 0, sizeof(old));
	/* The index holds exactly u's current and old tokens. */
	if ((old.token[0] != '\0' && !user_has_token(u, old.token) &&
	    token_index(txn, old.token, NULL) != 0) ||
	    (old.old_token[0] != '\0' && !user_has_token(u, old.old_token) &&
	    token_index(txn, old.old_token, NULL) != 0))
		goto done;
	if ((u->token[0] != '\0' && !user_has_token(&old, u->token) &&
	    token_index(txn, u->token, u->name) != 0) ||
	    (u->old_token[0] != '\0' && !user_has_token(&old, u->old_token) &&
	    token_index(txn, u->old_token, u->name) != 0))
		goto done;
	ret = db_put(txn, REG_T_USERS, u->name, strlen(u->name), buf, len);
done:
	OPENSSL_cleanse(buf, sizeof(buf));
	reg_user_clear(&old);
	return ret;
}

int
reg_user_del(struct reg_txn *txn, const char *name)
{
	struct reg_user	old;
	int		r;

	if ((r = reg_user_get(txn, name, &old)) != 0)
		return r < 0 ? -1 : 0;
	if (old.secrets_sealed != 0)
		r = token_index_purge(txn, name);
	else {
		r = 0;
		if (old.token[0] != '\0')
			r = token_index(txn, old.token, NULL);
		if (r == 0 && old.old_token[0] != '\0')
			r = token_index(txn, old.old_token, NULL);
	}
	reg_user_clear(&old);
	if (r != 0)
		return -1;
	return db_del(txn, REG_T_USERS, name, strlen(name), NULL, 0);
}

int
reg_token_lookup(struct reg_txn *txn, const char *s, size_t len,
    char user[CFG_NAME_MAX + 1])
{
	uint8_t	h[TOKEN_HASH_LEN];
	MDB_val	v;
	int	r;

	/*
	 * Only the hash is compared: how long a miss takes depends on the
	 * hash of the guess, which says nothing about any real token.
	 */
	if (!token_valid_format(s, len))
		return REG_NOTFOUND;
	if (token_hash(s, len, h) != 0)
		return txn_set_err(txn, REG_EIO);
	if ((r = db_get(txn, REG_T_TOKENS, h, sizeof(h), &v)) != 0)
		return r;
	if (v.mv_size == 0 || v.mv_size > CFG_NAME_MAX)
		return txn_set_err(txn, REG_ECORRUPT);
	memcpy(user, v.mv_data, v.mv_size);
	user[v.mv_size] = '\0';
	return 0;
}

/*
 * A device record: version, user, class, model; from version 2 on, a
 * flag byte and, when it is 1, the phone's admin password sealed and
 * bound to the device's MAC. A version 1 record (before issue #14)
 * reads back without one, and reg_sync() makes one.
 */
static size_t
device_encode(const struct reg *reg, const struct reg_device *d,
    uint8_t *buf, size_t sz)
{
	struct wire	w;
	char		m[MAC_STR_LEN];

	wire_init(&w, buf, sz);
	wire_write_u8(&w, DEVICE_REC_VERSION);
	put_str(&w, d->user);
	put_str(&w, d->vendor);
	put_str(&w, d->model);
	wire_write_u8(&w, d->admin_password[0] != '\0');
	if (d->admin_password[0] != '\0')
		put_sealed(&w, reg, "device admin_password",
		    mac_format(&d->mac, m), d->admin_password);
	return w.err ? 0 : sz - w.rem;
}

static int
device_decode(const struct reg *reg, const MDB_val *k, const MDB_val *v,
    struct reg_device *d)
{
	struct wire	w;
	uint8_t		ver;
	char		m[MAC_STR_LEN];
	int		e;

	memset(d, 0, sizeof(*d));
	if (k->mv_size != sizeof(d->mac.b))
		return REG_ECORRUPT;
	memcpy(d->mac.b, k->mv_data, sizeof(d->mac.b));
	if ((e = rec_begin_v(&w, v, DEVICE_REC_VERSION, &ver)) != REG_OK)
		return e;
	get_str(&w, d->user, sizeof(d->user));
	get_str(&w, d->vendor, sizeof(d->vendor));
	get_str(&w, d->model, sizeof(d->model));
	if (ver >= 2 && wire_read_u8(&w) == 1)
		get_sealed(&w, reg, "device admin_password",
		    mac_format(&d->mac, m), d->admin_password,
		    sizeof(d->admin_password), &d->secrets_sealed);
	return w.err ? REG_ECORRUPT : REG_OK;
}

void
reg_device_clear(struct reg_device *d)
{
	OPENSSL_cleanse(d->admin_password, sizeof(d->admin_password));
}

int
reg_device_get(struct reg_txn *txn, const struct mac_addr *mac,
    struct reg_device *out)
{
	MDB_val	k = { sizeof(mac->b), (void *)(uintptr_t)mac->b }, v;
	int	r, e;

	if ((r = db_get(txn, REG_T_DEVICES, mac->b, sizeof(mac->b), &v)) != 0)
		return r;
	if ((e = device_decode(txn->reg, &k, &v, out)) != REG_OK)
		return txn_set_err(txn, e);
	return 0;
}

int
reg_device_put(struct reg_txn *txn, const struct reg_device *d)
{
	uint8_t	buf[REC_BUF];
	size_t	len;

	if ((len = device_encode(txn->reg, d, buf, sizeof(buf))) == 0)
		return txn_set_err(txn, REG_EINVAL);
	return db_put(txn, REG_T_DEVICES, d->mac.b, sizeof(d->mac.b), buf,
	    len);
}

int
reg_device_del(struct reg_txn *txn, const struct mac_addr *mac)
{
	return db_del(txn, REG_T_DEVICES, mac->b, sizeof(mac->b), NULL, 0);
}

static size_t
lease_encode(const struct reg_lease *l, uint8_t *buf, size_t sz)
{
	struct wire w;

	if (l->hlen > sizeof(l->chaddr) || l->client_key_len == 0 ||
	    l->client_key_len > sizeof(l->client_key) ||
	    l->hostname_len > sizeof(l->hostname))
		return 0;
	wire_init(&w, buf, sz);
	wire_write_u8(&w, REC_VERSION);
	wire_write_u8(&w, l->state);
	wire_write_u8(&w, l->htype);
	put_bytes8(&w, l->chaddr, l->hlen);
	wire_write_u16(&w, l->client_key_len);
	wire_write(&w, l->client_key, l->client_key_len);
	wire_write_u64(&w, (uint64_t)l->start);
	wire_write_u64(&w, (uint64_t)l->expire);
	put_bytes8(&w, l->hostname, l->hostname_len);
	put_bytes8(&w, l->vclass, l->vclass_len);
	return w.err ? 0 : sz - w.rem;
}

static int
lease_decode(const MDB_val *k, const MDB_val *v, struct reg_lease *l)
{
	struct wire	w;
	int		e;

	memset(l, 0, sizeof(*l));
	if (k->mv_size != 4)
		return REG_ECORRUPT;
	wire_init(&w, k->mv_data, 4);
	l->ip = wire_read_u32(&w);
	if ((e = rec_begin(&w, v)) != REG_OK)
		return e;
	l->state = wire_read_u8(&w);
	l->htype = wire_read_u8(&w);
	l->hlen = get_bytes8(&w, l->chaddr, sizeof(l->chaddr));
	l->client_key_len = wire_read_u16(&w);
	if (l->client_key_len == 0 ||
	    l->client_key_len > sizeof(l->client_key))
		return REG_ECORRUPT;
	wire_read(&w, l->client_key, l->client_key_len);
	l->start = (int64_t)wire_read_u64(&w);
	l->expire = (int64_t)wire_read_u64(&w);
	l->hostname_len = get_bytes8(&w, l->hostname, sizeof(l->hostname));
	l->vclass_len = get_bytes8(&w, l->vclass, sizeof(l->vclass));
	return w.err ? REG_ECORRUPT : REG_OK;
}

static void
ip_key(uint32_t ip, uint8_t key[4])
{
	struct wire w;

	wire_init(&w, key, 4);
	wire_write_u32(&w, ip);
}

/* The MAC of a lease, when its hardware address is Ethernet's. */
static int
lease_mac(const struct reg_lease *l, struct mac_addr *mac)
{
	if (l->htype != 1 || l->hlen != 6)
		return 0;
	memcpy(mac->b, l->chaddr, 6);
	return 1;
}

int
reg_lease_get(struct reg_txn *txn, uint32_t ip, struct reg_lease *out)
{
	uint8_t	key[4];
	MDB_val	k = { 4, key }, v;
	int	r, e;

	ip_key(ip, key);
	if ((r = db_get(txn, REG_T_LEASES, key, 4, &v)) != 0)
		return r;
	if ((e = lease_decode(&k, &v, out)) != REG_OK)
		return txn_set_err(txn, e);
	return 0;
}

/* Removes the index entries that point at old's address. */
static int
lease_unindex(struct reg_txn *txn, const struct reg_lease *old,
    const uint8_t key[4])
{
	struct mac_addr mac;

	if (db_del(txn, REG_T_LEASE_CLIENT, old->client_key,
	    old->client_key_len, key, 4) != 0)
		return -1;
	if (lease_mac(old, &mac) &&
	    db_del(txn, REG_T_LEASE_MAC, mac.b, 6, key, 4) != 0)
		return -1;
	return 0;
}

/*
 * Would old and l have the same index entries? Both indexes map a key of
 * the lease (client key, MAC) to its address, so for the same address and
 * the same keys the entries are identical.
 */
static int
lease_same_index(const struct reg_lease *old, const struct reg_lease *l)
{
	struct mac_addr	a, b;
	int		ha = lease_mac(old, &a), hb = lease_mac(l, &b);

	return old->ip == l->ip && old->client_key_len == l->client_key_len &&
	    memcmp(old->client_key, l->client_key, l->client_key_len) == 0 &&
	    ha == hb && (!ha || memcmp(a.b, b.b, 6) == 0);
}

/*
 * Stores l over whatever held its address. When the record it replaces
 * had the same client key and MAC (the ACK after its own OFFER, a
 * renewal), only the record is written: the index entries stay as they
 * are, which keeps two deletes and two inserts on randomly placed index
 * pages out of the commit.
 */
int
reg_lease_put(struct reg_txn *txn, const struct reg_lease *l)
{
	struct reg_lease	 old;
	struct mac_addr		 mac;
	uint8_t			 key[4], buf[REC_BUF];
	size_t			 len;
	int			 r;

	if ((len = lease_encode(l, buf, sizeof(buf))) == 0)
		return txn_set_err(txn, REG_EINVAL);
	ip_key(l->ip, key);
	if ((r = reg_lease_get(txn, l->ip, &old)) < 0)
		return -1;
	if (r == 0 && lease_same_index(&old, l))
		return db_put(txn, REG_T_LEASES, key, 4, buf, len);
	if (r == 0 && lease_unindex(txn, &old, key) != 0)
		return -1;
	if (db_put(txn, REG_T_LEASES, key, 4, buf, len) != 0 ||
	    db_put(txn, REG_T_LEASE_CLIENT, l->client_key, l->client_key_len,
	    key, 4) != 0)
		return -1;
	if (lease_mac(l, &mac) &&
	    db_put(txn, REG_T_LEASE_MAC, mac.b, 6, key, 4) != 0)
		return -1;
	return 0;
}

int
reg_lease_del(struct reg_txn *txn, uint32_t ip)
{
	struct reg_lease	old;
	uint8_t			key[4];
	int			r;

	if ((r = reg_lease_get(txn, ip, &old)) != 0)
		return r < 0 ? -1 : 0;
	ip_key(ip, key);
	if (lease_unindex(txn, &old, key) != 0)
		return -1;
	return db_del(txn, REG_T_LEASES, key, 4, NULL, 0);
}

/* The sorted duplicates of key in an index table, as addresses. */
static int
index_ips(struct reg_txn *txn, enum reg_table t, const void *key,
    size_t klen, uint32_t *ips, size_t max)
{
	MDB_cursor	*c = NULL;
	MDB_val		 k = { klen, (void *)(uintptr_t)key }, v;
	int		 rc, n = 0;

	if (txn_ok(txn, 0) != 0)
		return -1;
	if ((rc = mdb_cursor_open(txn->txn, txn->reg->dbi[t], &c)) != 0)
		return txn_fail(txn, rc, "cursor");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
		struct wire w;

		if (v.mv_size != 4) {
			mdb_cursor_close(c);
			return txn_set_err(txn, REG_ECORRUPT);
		}
		wire_init(&w, v.mv_data, 4);
		if ((size_t)n < max)
			ips[n] = wire_read_u32(&w);
		n++;
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return txn_fail(txn, rc, "index walk");
	return n;
}

int
reg_lease_ips_by_client(struct reg_txn *txn, const uint8_t *key,
    size_t keylen, uint32_t *ips, size_t max)
{
	if (keylen == 0 || keylen > REG_CLIENT_KEY_MAX)
		return 0;
	return index_ips(txn, REG_T_LEASE_CLIENT, key, keylen, ips, max);
}

int
reg_lease_ips_by_mac(struct reg_txn *txn, const struct mac_addr *mac,
    uint32_t *ips, size_t max)
{
	return index_ips(txn, REG_T_LEASE_MAC, mac->b, 6, ips, max);
}

/*
 * Walks table t, decoding each record with decode into rec (of the
 * table's record type) and handing it to fn.
 */
static int
table_walk(struct reg_txn *txn, enum reg_table t,
    int (*decode)(const struct reg *, const MDB_val *, const MDB_val *,
    void *), void *rec,
    int (*fn)(const void *, void *), void *arg)
{
	MDB_cursor	*c = NULL;
	MDB_val		 k, v;
	int		 rc, r = 0;

	if (txn_ok(txn, 0) != 0)
		return -1;
	if ((rc = mdb_cursor_open(txn->txn, txn->reg->dbi[t], &c)) != 0)
		return txn_fail(txn, rc, "cursor");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		int e = decode(txn->reg, &k, &v, rec);

		if (e != REG_OK) {
			mdb_cursor_close(c);
			return txn_set_err(txn, e);
		}
		if ((r = fn(rec, arg)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (r < 0)
		return -1;
	if (r == 0 && rc != MDB_NOTFOUND)
		return txn_fail(txn, rc, "walk");
	return 0;
}

/* Adapters from the typed decoders and callbacks to table_walk's. */
static int
user_decode_v(const struct reg *reg, const MDB_val *k, const MDB_val *v,
    void *rec)
{
	return user_decode(reg, k, v, rec);
}

static int
device_decode_v(const struct reg *reg, const MDB_val *k, const MDB_val *v,
    void *rec)
{
	return device_decode(reg, k, v, rec);
}

static int
lease_decode_v(const struct reg *reg, const MDB_val *k, const MDB_val *v,
    void *rec)
{
	(void)reg;
	return lease_decode(k, v, rec);
}

/*
 * Typed callbacks reach table_walk() through these trampolines, so no
 * function is called through a pointer of another type.
 */
#define WALK_ADAPTER(type)						\
	struct type##_walk {						\
		int	(*fn)(const struct reg_##type *, void *);	\
		void	*arg;						\
	};								\
	static int							\
	type##_visit(const void *rec, void *a)				\
	{								\
		struct type##_walk *w = a;				\
		return w->fn(rec, w->arg);				\
	}
WALK_ADAPTER(user)
WALK_ADAPTER(device)
WALK_ADAPTER(lease)
WALK_ADAPTER(enroll)

static int
enroll_decode_v(const struct reg *reg, const MDB_val *k, const MDB_val *v,
    void *rec)
{
	return enroll_decode(reg, k, v, rec);
}

int
reg_enroll_foreach(struct reg_txn *txn,
    int (*fn)(const struct reg_enroll *, void *), void *arg)
{
	struct enroll_walk	w = { fn, arg };
	struct reg_enroll	e;
	int			r;

	if (txn_ok(txn, 0) != 0)
		return -1;
	if (txn->reg->missing[REG_T_ENROLL])
		return 0;
	r = table_walk(txn, REG_T_ENROLL, enroll_decode_v, &e, enroll_visit,
	    &w);
	reg_enroll_clear(&e);
	return r;
}

int
reg_user_foreach(struct reg_txn *txn,
    int (*fn)(const struct reg_user *, void *), void *arg)
{
	struct user_walk	w = { fn, arg };
	struct reg_user		u;
	int			r;

	r = table_walk(txn, REG_T_USERS, user_decode_v, &u, user_visit, &w);
	reg_user_clear(&u);
	return r;
}

int
reg_device_foreach(struct reg_txn *txn,
    int (*fn)(const struct reg_device *, void *), void *arg)
{
	struct device_walk	w = { fn, arg };
	struct reg_device	d;

	return table_walk(txn, REG_T_DEVICES, device_decode_v, &d,
	    device_visit, &w);
}

int
reg_lease_foreach(struct reg_txn *txn,
    int (*fn)(const struct reg_lease *, void *), void *arg)
{
	struct lease_walk	w = { fn, arg };
	struct reg_lease	l;

	return table_walk(txn, REG_T_LEASES, lease_decode_v, &l, lease_visit,
	    &w);
}

int
reg_lease_foreach_range(struct reg_txn *txn, uint32_t start, uint32_t end,
    int (*fn)(const struct reg_lease *, void *), void *arg)
{
	MDB_cursor		*c = NULL;
	uint8_t			 key[4];
	MDB_val			 k = { 4, key }, v;
	struct reg_lease	 l;
	int			 rc, r = 0, e;

	if (txn_ok(txn, 0) != 0)
		return -1;
	if ((rc = mdb_cursor_open(txn->txn, txn->reg->dbi[REG_T_LEASES],
	    &c)) != 0)
		return txn_fail(txn, rc, "cursor");
	ip_key(start, key);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if ((e = lease_decode(&k, &v, &l)) != REG_OK) {
			mdb_cursor_close(c);
			return txn_set_err(txn, e);
		}
		if (l.ip > end)
			break;
		if ((r = fn(&l, arg)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (r < 0)
		return -1;
	if (r == 0 && rc != 0 && rc != MDB_NOTFOUND)
		return txn_fail(txn, rc, "range walk");
	return 0;
}

long
reg_count(struct reg_txn *txn, enum reg_table table)
{
	MDB_stat	st;
	int		rc;

	if ((unsigned)table >= REG_T_COUNT || txn_ok(txn, 0) != 0)
		return -1;
	if (txn->reg->missing[table])
		return 0;
	if ((rc = mdb_stat(txn->txn, txn->reg->dbi[table], &st)) != 0)
		return txn_fail(txn, rc, "stat");
	return (long)st.ms_entries;
}

int
reg_fetch_put(struct reg_txn *txn, const struct reg_fetch *f)
{
	uint8_t		buf[REC_BUF];
	struct wire	w;

	wire_init(&w, buf, sizeof(buf));
	wire_write_u8(&w, REC_VERSION);
	wire_write_u64(&w, (uint64_t)f->time);
	wire_write_u32(&w, f->ip);
	wire_write_u16(&w, f->status);
	put_str(&w, f->file);
	put_str(&w, f->refused);
	if (w.err)
		return txn_set_err(txn, REG_EINVAL);
	return db_put(txn, REG_T_FETCHES, f->mac.b, 6, buf, sizeof(buf) -
	    w.rem);
}

int
reg_fetch_get(struct reg_txn *txn, const struct mac_addr *mac,
    struct reg_fetch *out)
{
	MDB_val		v;
	struct wire	w;
	int		r, e;

	if ((r = db_get(txn, REG_T_FETCHES, mac->b, 6, &v)) != 0)
		return r;
	memset(out, 0, sizeof(*out));
	out->mac = *mac;
	if ((e = rec_begin(&w, &v)) != REG_OK)
		return txn_set_err(txn, e);
	out->time = (int64_t)wire_read_u64(&w);
	out->ip = wire_read_u32(&w);
	out->status = wire_read_u16(&w);
	get_str(&w, out->file, sizeof(out->file));
	get_str(&w, out->refused, sizeof(out->refused));
	if (w.err)
		return txn_set_err(txn, REG_ECORRUPT);
	return 0;
}

/*
 * Enrollment records. The first-access token is sealed like a user's
 * token, bound to the field and the device's MAC.
 */
static void
enroll_name(const struct mac_addr *mac, char name[MAC_PLAIN_LEN])
{
	mac_format_plain(mac, name, 0);
}

void
reg_enroll_clear(struct reg_enroll *e)
{
	OPENSSL_cleanse(e->fa_token, sizeof(e->fa_token));
}

static size_t
enroll_encode(const struct reg *reg, const struct reg_enroll *e,
    uint8_t *buf, size_t sz)
{
	struct wire	w;
	char		name[MAC_PLAIN_LEN];

	enroll_name(&e->mac, name);
	wire_init(&w, buf, sz);
	wire_write_u8(&w, REC_VERSION);
	wire_write_u8(&w, e->state);
	wire_write_u64(&w, (uint64_t)e->since);
	wire_write_u64(&w, (uint64_t)e->window_until);
	put_sealed(&w, reg, "fa_token", name, e->fa_token);
	if (e->id_len > REG_CLIENT_KEY_MAX)
		w.err = 1;
	else {
		wire_write_u16(&w, e->id_len);
		wire_write(&w, e->id, e->id_len);
	}
	wire_write_u32(&w, e->fa_ip);
	wire_write_u64(&w, (uint64_t)e->fa_handed);
	wire_write_u64(&w, (uint64_t)e->fa_fetched);
	wire_write_u64(&w, (uint64_t)e->token_seen);
	return w.err ? 0 : sz - w.rem;
}

static int
enroll_decode(const struct reg *reg, const MDB_val *k, const MDB_val *v,
    struct reg_enroll *e)
{
	struct wire	w;
	char		name[MAC_PLAIN_LEN];
	int		err;

	memset(e, 0, sizeof(*e));
	if (k->mv_size != sizeof(e->mac.b))
		return REG_ECORRUPT;
	memcpy(e->mac.b, k->mv_data, sizeof(e->mac.b));
	enroll_name(&e->mac, name);
	if ((err = rec_begin(&w, v)) != REG_OK)
		return err;
	e->state = wire_read_u8(&w);
	e->since = (int64_t)wire_read_u64(&w);
	e->window_until = (int64_t)wire_read_u64(&w);
	get_sealed(&w, reg, "fa_token", name, e->fa_token,
	    sizeof(e->fa_token), &e->secrets_sealed);
	e->id_len = wire_read_u16(&w);
	if (e->id_len > REG_CLIENT_KEY_MAX)
		w.err = 1;
	else
		wire_read(&w, e->id, e->id_len);
	e->fa_ip = wire_read_u32(&w);
	e->fa_handed = (int64_t)wire_read_u64(&w);
	e->fa_fetched = (int64_t)wire_read_u64(&w);
	e->token_seen = (int64_t)wire_read_u64(&w);
	if (w.err || e->state >= ENROLL_STATE_COUNT) {
		reg_enroll_clear(e);
		return REG_ECORRUPT;
	}
	return REG_OK;
}

int
reg_enroll_get(struct reg_txn *txn, const struct mac_addr *mac,
    struct reg_enroll *out)
{
	MDB_val	k = { sizeof(mac->b), (void *)(uintptr_t)mac->b }, v;
	int	r, e;

	if ((r = db_get(txn, REG_T_ENROLL, mac->b, sizeof(mac->b), &v)) != 0)
		return r;
	if ((e = enroll_decode(txn->reg, &k, &v, out)) != REG_OK)
		return txn_set_err(txn, e);
	return 0;
}

static int
fa_index(struct reg_txn *txn, const char *token, const struct mac_addr *mac)
{
	uint8_t h[TOKEN_HASH_LEN];

	if (token_hash(token, strlen(token), h) != 0)
		return txn_set_err(txn, REG_EIO);
	if (mac != NULL)
		return db_put(txn, REG_T_FA_TOKENS, h, sizeof(h), mac->b, 6);
	return db_del(txn, REG_T_FA_TOKENS, h, sizeof(h), NULL, 0);
}

/* Drops every index entry that points at mac: O(entries), rare. */
static int
fa_index_purge(struct reg_txn *txn, const struct mac_addr *mac)
{
	MDB_cursor	*c = NULL;
	MDB_val		 k, v;
	int		 rc;

	if (txn_ok(txn, 1) != 0)
		return -1;
	if ((rc = mdb_cursor_open(txn->txn, txn->reg->dbi[REG_T_FA_TOKENS],
	    &c)) != 0)
		return txn_fail(txn, rc, "cursor");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (v.mv_size != 6 || memcmp(v.mv_data, mac->b, 6) != 0)
			continue;
		if ((rc = mdb_cursor_del(c, 0)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return txn_fail(txn, rc, "first-access index purge");
	return 0;
}

int
reg_enroll_put(struct reg_txn *txn, const struct reg_enroll *e)
{
	struct reg_enroll	 old;
	uint8_t			 buf[REC_BUF];
	size_t			 len;
	int			 r, ret = -1;

	memset(&old, 0, sizeof(old));
	if (e->secrets_sealed || e->state >= ENROLL_STATE_COUNT ||
	    (e->fa_token[0] != '\0' && !token_valid_format(e->fa_token,
	    strlen(e->fa_token))))
		return txn_set_err(txn, REG_EINVAL);
	if ((len = enroll_encode(txn->reg, e, buf, sizeof(buf))) == 0)
		return txn_set_err(txn, REG_EINVAL);
	if ((r = reg_enroll_get(txn, &e->mac, &old)) < 0)
		goto done;
	if (r == 0 && old.secrets_sealed != 0) {
		if (fa_index_purge(txn, &e->mac) != 0)
			goto done;
		r = REG_NOTFOUND;
	}
	if (r == 0 && old.fa_token[0] != '\0' && strcmp(old.fa_token,
	    e->fa_token) != 0 && fa_index(txn, old.fa_token, NULL) != 0)
		goto done;
	if (e->fa_token[0] != '\0' && (r != 0 || strcmp(old.fa_token,
	    e->fa_token) != 0) && fa_index(txn, e->fa_token, &e->mac) != 0)
		goto done;
	ret = db_put(txn, REG_T_ENROLL, e->mac.b, 6, buf, len);
done:
	OPENSSL_cleanse(buf, sizeof(buf));
	reg_enroll_clear(&old);
	return ret;
}

int
reg_enroll_del(struct reg_txn *txn, const struct mac_addr *mac)
{
	struct reg_enroll	old;
	int			r;

	if ((r = reg_enroll_get(txn, mac, &old)) != 0)
		return r < 0 ? -1 : 0;
	if (old.secrets_sealed != 0)
		r = fa_index_purge(txn, mac);
	else if (old.fa_token[0] != '\0')
		r = fa_index(txn, old.fa_token, NULL);
	reg_enroll_clear(&old);
	if (r != 0)
		return -1;
	return db_del(txn, REG_T_ENROLL, mac->b, 6, NULL, 0);
}

int
reg_fa_lookup(struct reg_txn *txn, const char *s, size_t len,
    struct mac_addr *mac)
{
	uint8_t	h[TOKEN_HASH_LEN];
	MDB_val	v;
	int	r;

	/* As reg_token_lookup(): only the hash is compared. */
	if (!token_valid_format(s, len))
		return REG_NOTFOUND;
	if (token_hash(s, len, h) != 0)
		return txn_set_err(txn, REG_EIO);
	if ((r = db_get(txn, REG_T_FA_TOKENS, h, sizeof(h), &v)) != 0)
		return r;
	if (v.mv_size != 6)
		return txn_set_err(txn, REG_ECORRUPT);
	memcpy(mac->b, v.mv_data, 6);
	return 0;
}

/* History keys: MAC, then a big-endian sequence number. */
static void
event_key(const struct mac_addr *mac, uint64_t seq, uint8_t key[14])
{
	struct wire w;

	memcpy(key, mac->b, 6);
	wire_init(&w, key + 6, 8);
	wire_write_u64(&w, seq);
}

static uint64_t
event_seq(const MDB_val *k)
{
	struct wire w;

	wire_init(&w, (uint8_t *)k->mv_data + 6, 8);
	return wire_read_u64(&w);
}

/*
 * Puts c on the newest event of mac, the one before the first key past
 * mac's; the caller checks that the key found is mac's. An MDB_* code.
 */
static int
event_newest(MDB_cursor *c, const struct mac_addr *mac, MDB_val *k,
    MDB_val *v)
{
	uint8_t	key[14];
	int	rc;

	event_key(mac, UINT64_MAX, key);
	k->mv_size = sizeof(key);
	k->mv_data = key;
	rc = mdb_cursor_get(c, k, v, MDB_SET_RANGE);
	if (rc == 0)
		return mdb_cursor_get(c, k, v, MDB_PREV);
	if (rc == MDB_NOTFOUND)
		return mdb_cursor_get(c, k, v, MDB_LAST);
	return rc;
}

int
reg_event_add(struct reg_txn *txn, const struct reg_event *ev)
{
	MDB_cursor	*c = NULL;
	MDB_val		 k, v;
	uint8_t		 key[14], buf[REC_BUF];
	uint64_t	 seq = 1;
	struct wire	 w;
	unsigned	 n = 0;
	int		 rc;

	if (txn_ok(txn, 1) != 0)
		return -1;
	wire_init(&w, buf, sizeof(buf));
	wire_write_u8(&w, REC_VERSION);
	wire_write_u64(&w, (uint64_t)ev->time);
	wire_write_u8(&w, ev->kind);
	wire_write_u32(&w, ev->ip);
	put_str(&w, ev->detail);
	if (w.err)
		return txn_set_err(txn, REG_EINVAL);
	if ((rc = mdb_cursor_open(txn->txn, txn->reg->dbi[REG_T_HISTORY],
	    &c)) != 0)
		return txn_fail(txn, rc, "cursor");
	for (rc = event_newest(c, &ev->mac, &k, &v); rc == 0 &&
	    k.mv_size == 14 && memcmp(k.mv_data, ev->mac.b, 6) == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_PREV)) {
		if (n == 0)
			seq = event_seq(&k) + 1;
		/* Keep the newest REG_HISTORY_MAX - 1, then add one. */
		if (++n >= REG_HISTORY_MAX &&
		    (rc = mdb_cursor_del(c, 0)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return txn_fail(txn, rc, "history walk");
	event_key(&ev->mac, seq, key);
	return db_put(txn, REG_T_HISTORY, key, sizeof(key), buf,
	    sizeof(buf) - w.rem);
}

int
reg_event_foreach(struct reg_txn *txn, const struct mac_addr *mac,
    int (*fn)(const struct reg_event *, void *), void *arg)
{
	MDB_cursor	*c = NULL;
	MDB_val		 k, v;
	struct reg_event ev;
	int		 rc, r = 0;

	if (txn_ok(txn, 0) != 0)
		return -1;
	if (txn->reg->missing[REG_T_HISTORY])
		return 0;
	if ((rc = mdb_cursor_open(txn->txn, txn->reg->dbi[REG_T_HISTORY],
	    &c)) != 0)
		return txn_fail(txn, rc, "cursor");
	for (rc = event_newest(c, mac, &k, &v); rc == 0 && k.mv_size == 14 &&
	    memcmp(k.mv_data, mac->b, 6) == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_PREV)) {
		struct wire	w;
		int		e;

		memset(&ev, 0, sizeof(ev));
		ev.mac = *mac;
		if ((e = rec_begin(&w, &v)) != REG_OK) {
			mdb_cursor_close(c);
			return txn_set_err(txn, e);
		}
		ev.time = (int64_t)wire_read_u64(&w);
		ev.kind = wire_read_u8(&w);
		ev.ip = wire_read_u32(&w);
		get_str(&w, ev.detail, sizeof(ev.detail));
		if (w.err) {
			mdb_cursor_close(c);
			return txn_set_err(txn, REG_ECORRUPT);
		}
		if ((r = fn(&ev, arg)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (r < 0)
		return -1;
	if (r == 0 && rc != 0 && rc != MDB_NOTFOUND)
		return txn_fail(txn, rc, "history walk");
	return 0;
}

int
reg_event_purge(struct reg_txn *txn, const struct mac_addr *mac)
{
	MDB_cursor	*c = NULL;
	MDB_val		 k, v;
	uint8_t		 key[14];
	int		 rc;

	if (txn_ok(txn, 1) != 0)
		return -1;
	if ((rc = mdb_cursor_open(txn->txn, txn->reg->dbi[REG_T_HISTORY],
	    &c)) != 0)
		return txn_fail(txn, rc, "cursor");
	event_key(mac, 0, key);
	k.mv_size = sizeof(key);
	k.mv_data = key;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 &&
	    k.mv_size == 14 && memcmp(k.mv_data, mac->b, 6) == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if ((rc = mdb_cursor_del(c, 0)) != 0)
			break;
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return txn_fail(txn, rc, "history purge");
	return 0;
}

int
reg_meta_set_schema(struct reg_txn *txn, uint32_t version)
{
	uint8_t		buf[4];
	struct wire	w;

	wire_init(&w, buf, sizeof(buf));
	wire_write_u32(&w, version);
	return db_put(txn, REG_T_META, "schema", 6, buf, sizeof(buf));
}
