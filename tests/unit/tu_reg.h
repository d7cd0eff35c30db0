/*
 * tu_reg.h - registry helpers shared by the unit tests that play phones
 * against a registry (check_vendors, check_pnp): a lease as dhcpd stores
 * it, an enrollment window as provboxctl enroll opens it, a user's token.
 */
#ifndef PB_TU_REG_H
#define PB_TU_REG_H

#include <check.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "enroll.h"
#include "registry.h"

/* The identity dhcpd keys a client without Option 61 by: "H", 1, MAC. */
static inline size_t
tu_hw_key(const struct mac_addr *m, uint8_t key[8])
{
	key[0] = 'H';
	key[1] = 1;
	memcpy(key + 2, m->b, 6);
	return 8;
}

/* Stores a bound lease of mac at ip (host order) under its hardware key. */
static inline void
tu_lease(struct reg *reg, uint32_t ip, const char *mac, time_t start,
    time_t expire)
{
	struct reg_txn		txn;
	struct reg_lease	l;
	struct mac_addr		m;

	ck_assert_int_eq(mac_parse(mac, &m), 0);
	memset(&l, 0, sizeof(l));
	l.ip = ip;
	l.state = LEASE_BOUND;
	l.htype = 1;
	l.hlen = 6;
	memcpy(l.chaddr, m.b, 6);
	l.client_key_len = (uint16_t)tu_hw_key(&m, l.client_key);
	l.start = start;
	l.expire = expire;
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 0), 0);
	ck_assert_int_eq(reg_lease_put(&txn, &l), 0);
	ck_assert_int_eq(reg_txn_commit(&txn), 0);
}

/*
 * Opens an hour's enrollment window for mac at opened (provboxctl
 * enroll). With id (id_len bytes), its first-access token is then handed
 * to that identity at ip, 30 s later (as dhcpd does). The token goes to
 * fa when not NULL.
 */
static inline void
tu_enroll(struct reg *reg, const char *mac, time_t opened, uint32_t ip,
    const uint8_t *id, size_t id_len, char fa[TOKEN_LEN + 1])
{
	struct reg_txn		 txn;
	struct reg_event	 ev;
	struct reg_enroll	 e;
	struct enroll_op	 op;
	int			 suspect;

	memset(&op, 0, sizeof(op));
	ck_assert_int_eq(mac_parse(mac, &op.mac), 0);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 0), 0);
	ck_assert_int_eq(enroll_open(&txn, &op.mac, opened, 3600, &suspect,
	    &ev), 1);
	if (id != NULL) {
		op.kind = EOP_HANDED;
		op.ip = ip;
		memcpy(op.id, id, id_len);
		op.id_len = (uint16_t)id_len;
		ck_assert_int_eq(enroll_apply(&txn, &op, opened + 30, &ev), 1);
	}
	ck_assert_int_eq(reg_enroll_get(&txn, &op.mac, &e), 0);
	ck_assert_int_eq(reg_txn_commit(&txn), 0);
	if (fa != NULL)
		memcpy(fa, e.fa_token, TOKEN_LEN + 1);
	reg_enroll_clear(&e);
}

/* The user's permanent token. */
static inline void
tu_token_of(struct reg *reg, const char *user, char tok[TOKEN_LEN + 1])
{
	struct reg_txn	txn;
	struct reg_user	u;

	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	ck_assert_int_eq(reg_user_get(&txn, user, &u), 0);
	memcpy(tok, u.token, TOKEN_LEN + 1);
	reg_user_clear(&u);
	reg_txn_abort(&txn);
}

#endif /* PB_TU_REG_H */
