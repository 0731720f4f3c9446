/* keyset.c - key-set records, SQN arrays and the admin file API; see
 * keyset.h.  Record layout (UICC_KEYSET_REC_LEN = 160 bytes):
 *   0 index | 1 state | 2 algorithm | 3 flags (b1 = OPc stored) | 4 K length
 *   5..36 K | 37 OPc length | 38..69 OPc/OP (TOPc/TOP) | 70 RES len (0 = default) |
 *   71 MAC len | 72 CK len | 73 IK len | 74 Keccak iterations | 75 KIc alg |
 *   76 KIc len | 77..108 KIc | 109 KID alg | 110 KID len | 111..142 KID |
 *   143 KVN | 144..146 TAR | 147..151 CNTR | 152 IND bits | 153..159 RFU
 * SQN record (UICC_SQN_REC_LEN = 193): 0 IND bits (FF = never written, all
 * slots zero) | 32 x 6-byte big-endian SQN. */
#include <string.h>
#include <openssl/crypto.h>
#include "card/fs.h"
#include "card/pin.h"
#include "card/txn.h"
#include "common/buf.h"
#include "uicckit/keyset.h"

static struct uicc_file *internal_ef(const struct uicc *card, uint16_t fid, size_t rec_len)
{
	struct uicc_file *adf, *f;

	for (adf = card->adfs; adf != NULL; adf = adf->next) {
		f = uicc_fs_child(adf, fid);
		if (f != NULL && f->type == UICC_FT_LINEAR && f->rec_len == rec_len)
			return f;
	}
	return NULL;
}

int uicc_keyset_count(const struct uicc *card)
{
	const struct uicc_file *f = card ? internal_ef(card, UICC_KEYSET_FID, UICC_KEYSET_REC_LEN) : NULL;

	return f ? (int)f->n_rec : UICC_ENOTFOUND;
}

void uicc_keyset_cleanse(struct uicc_keyset *ks)
{
	OPENSSL_cleanse(ks, sizeof(*ks));
}

static void decode(const uint8_t *r, struct uicc_keyset *ks)
{
	ks->index = r[0];
	ks->state = r[1];
	ks->alg = r[2];
	ks->op_is_opc = r[3] & 1;
	ks->k_len = r[4];
	memcpy(ks->k, r + 5, 32);
	ks->opc_len = r[37];
	memcpy(ks->opc, r + 38, 32);
	ks->res_len = r[70];
	ks->tuak_mac_len = r[71];
	ks->tuak_ck_len = r[72];
	ks->tuak_ik_len = r[73];
	ks->tuak_keccak_iter = r[74];
	ks->kic_alg = r[75];
	ks->kic_len = r[76];
	memcpy(ks->kic, r + 77, 32);
	ks->kid_alg = r[109];
	ks->kid_len = r[110];
	memcpy(ks->kid, r + 111, 32);
	ks->kvn = r[143];
	memcpy(ks->tar, r + 144, 3);
	memcpy(ks->cntr, r + 147, 5);
	ks->ind_len = r[152];
}

static void encode(const struct uicc_keyset *ks, uint8_t *r)
{
	memset(r, 0xff, UICC_KEYSET_REC_LEN);
	r[0] = ks->index;
	r[1] = ks->state;
	r[2] = ks->alg;
	r[3] = ks->op_is_opc ? 1 : 0;
	r[4] = ks->k_len;
	memcpy(r + 5, ks->k, 32);
	r[37] = ks->opc_len;
	memcpy(r + 38, ks->opc, 32);
	r[70] = ks->res_len;
	r[71] = ks->tuak_mac_len;
	r[72] = ks->tuak_ck_len;
	r[73] = ks->tuak_ik_len;
	r[74] = ks->tuak_keccak_iter;
	r[75] = ks->kic_alg;
	r[76] = ks->kic_len;
	memcpy(r + 77, ks->kic, 32);
	r[109] = ks->kid_alg;
	r[110] = ks->kid_len;
	memcpy(r + 111, ks->kid, 32);
	r[143] = ks->kvn;
	memcpy(r + 144, ks->tar, 3);
	memcpy(r + 147, ks->cntr, 5);
	r[152] = ks->ind_len;
}

static int valid(const struct uicc_keyset *ks)
{
	if (ks->state > UICC_KS_RETIRED)
		return 0;
	if (ks->state == UICC_KS_UNUSED)
		return 1;
	if (ks->k_len != 16 && ks->k_len != 32)
		return 0;
	if (ks->kic_len > 32 || ks->kid_len > 32 || ks->ind_len > 5 || ks->res_len > 32)
		return 0;
	switch (ks->alg) {
	case UICC_ALG_MILENAGE:
		return ks->k_len == 16 && ks->opc_len == 16;
	case UICC_ALG_XOR:
		return 1;
	case UICC_ALG_TUAK:
		/* TS 35.231: TOP(c) 256 bit; RES 32/64/128/256 bit; CK/IK 128/256 */
		return ks->opc_len == 32 &&
		       (ks->res_len == 0 || ks->res_len == 4 || ks->res_len == 8 ||
			ks->res_len == 16 || ks->res_len == 32) &&
		       (ks->tuak_ck_len == 0 || ks->tuak_ck_len == 16 || ks->tuak_ck_len == 32) &&
		       (ks->tuak_ik_len == 0 || ks->tuak_ik_len == 16 || ks->tuak_ik_len == 32) &&
		       (ks->tuak_mac_len == 0 || ks->tuak_mac_len == 8);
	default:
		return 0;
	}
}

int uicc_keyset_get(const struct uicc *card, unsigned index, struct uicc_keyset *ks)
{
	const struct uicc_file *f = card ? internal_ef(card, UICC_KEYSET_FID, UICC_KEYSET_REC_LEN) : NULL;
	const uint8_t *r;

	if (f == NULL || ks == NULL || index >= f->n_rec)
		return UICC_ENOTFOUND;
	r = uicc_fs_record(f, index + 1);
	memset(ks, 0, sizeof(*ks));
	if (r[1] == 0xff || (r[1] == 0x00 && r[4] == 0)) {
		/* never personalised (an unused set pre-loaded for a later
		 * switch keeps its keys and decodes below) */
		ks->index = (uint8_t)index;
		ks->state = UICC_KS_UNUSED;
		ks->ind_len = 5;
		return 0;
	}
	decode(r, ks);
	if (ks->index != index || !valid(ks)) {
		uicc_keyset_cleanse(ks);
		return UICC_ECORRUPT;
	}
	return 0;
}

int uicc_keyset_active(const struct uicc *card)
{
	int n = uicc_keyset_count(card), i;

	for (i = 0; i < n; i++) {
		const struct uicc_file *f = internal_ef(card, UICC_KEYSET_FID, UICC_KEYSET_REC_LEN);
		const uint8_t *r = uicc_fs_record(f, (unsigned)i + 1);

		if (r[1] == UICC_KS_ACTIVE)
			return i;
	}
	return UICC_ENOTFOUND;
}

static int sqn_reset(struct uicc *card, unsigned index, unsigned ind_len)
{
	uint64_t z[UICC_SQN_SLOTS];

	memset(z, 0, sizeof(z));
	return uicc_sqn_put(card, index, z, ind_len);
}

int uicc_keyset_put(struct uicc *card, const struct uicc_keyset *ks, int reset_sqn)
{
	struct uicc_file *f = card ? internal_ef(card, UICC_KEYSET_FID, UICC_KEYSET_REC_LEN) : NULL;
	uint8_t rec[UICC_KEYSET_REC_LEN];
	int act, rc;

	if (f == NULL || ks == NULL)
		return UICC_ENOTFOUND;
	if (ks->index >= f->n_rec)
		return UICC_ENOTFOUND;
	if (!valid(ks))
		return UICC_EARG;
	act = uicc_keyset_active(card);
	if (ks->state == UICC_KS_ACTIVE && act >= 0 && act != ks->index)
		return UICC_EARG;	/* exactly one active key set */
	/* DESIGN: a retired index never comes back */
	if (uicc_fs_record(f, ks->index + 1u)[1] == UICC_KS_RETIRED && ks->state != UICC_KS_RETIRED)
		return UICC_EARG;
	encode(ks, rec);
	if (ks->state == UICC_KS_UNUSED)
		rec[1] = UICC_KS_UNUSED;
	uicc_txn_begin(card);
	rc = uicc_pwrite(card, uicc_fs_record(f, ks->index + 1u), rec, sizeof(rec));
	if (rc == 0 && reset_sqn)
		rc = sqn_reset(card, ks->index, ks->ind_len ? ks->ind_len : 5);
	OPENSSL_cleanse(rec, sizeof(rec));
	if (rc < 0) {
		uicc_txn_abort(card);
		return rc;
	}
	return uicc_txn_commit(card);
}

int uicc_sqn_get(const struct uicc *card, unsigned index, uint64_t sqn[UICC_SQN_SLOTS],
		 unsigned *ind_len)
{
	const struct uicc_file *f = card ? internal_ef(card, UICC_SQN_FID, UICC_SQN_REC_LEN) : NULL;
	const uint8_t *r;
	unsigned i;

	if (f == NULL || index >= f->n_rec)
		return UICC_ENOTFOUND;
	r = uicc_fs_record(f, index + 1);
	if (r[0] == 0xff) {
		memset(sqn, 0, sizeof(uint64_t) * UICC_SQN_SLOTS);
		*ind_len = 5;
		return 0;
	}
	if (r[0] > 5)
		return UICC_ECORRUPT;
	*ind_len = r[0];
	for (i = 0; i < UICC_SQN_SLOTS; i++)
		sqn[i] = uk_get_be(r + 1 + 6 * i, 6);
	return 0;
}

int uicc_sqn_put(struct uicc *card, unsigned index, const uint64_t sqn[UICC_SQN_SLOTS],
		 unsigned ind_len)
{
	struct uicc_file *f = card ? internal_ef(card, UICC_SQN_FID, UICC_SQN_REC_LEN) : NULL;
	uint8_t rec[UICC_SQN_REC_LEN];
	unsigned i;
	int rc;

	if (f == NULL || index >= f->n_rec)
		return UICC_ENOTFOUND;
	if (ind_len > 5)
		return UICC_EARG;
	rec[0] = (uint8_t)ind_len;
	for (i = 0; i < UICC_SQN_SLOTS; i++)
		uk_put_be(rec + 1 + 6 * i, sqn[i] & 0xffffffffffffULL, 6);
	uicc_txn_begin(card);
	rc = uicc_pwrite(card, uicc_fs_record(f, index + 1), rec, sizeof(rec));
	if (rc < 0) {
		uicc_txn_abort(card);
		return rc;
	}
	return uicc_txn_commit(card);
}

/* ---- admin file access ---- */

static struct uicc_file *admin_file(const struct uicc *card, const char *path)
{
	struct uicc_file *f = card ? uicc_fs_find_path(card, path) : NULL;

	if (f == NULL || !uicc_fs_is_ef(f) || f->internal)
		return NULL;
	return f;
}

static int admin_write(struct uicc *card, uint8_t *dst, const uint8_t *src, size_t len)
{
	int rc;

	uicc_txn_begin(card);
	rc = uicc_pwrite(card, dst, src, len);
	if (rc < 0) {
		uicc_txn_abort(card);
		return rc;
	}
	return uicc_txn_commit(card);
}

long uicc_admin_file_size(const struct uicc *card, const char *path)
{
	const struct uicc_file *f = admin_file(card, path);

	if (f == NULL)
		return UICC_ENOTFOUND;
	return (long)(f->type == UICC_FT_TRANSPARENT ? f->size : f->rec_len);
}

int uicc_admin_read_binary(const struct uicc *card, const char *path, size_t offset,
			   uint8_t *out, size_t len)
{
	const struct uicc_file *f = admin_file(card, path);

	if (f == NULL)
		return UICC_ENOTFOUND;
	if (f->type != UICC_FT_TRANSPARENT || offset > f->size || len > f->size - offset)
		return UICC_EARG;
	memcpy(out, f->data + offset, len);
	return 0;
}

int uicc_admin_update_binary(struct uicc *card, const char *path, size_t offset,
			     const uint8_t *data, size_t len)
{
	struct uicc_file *f = admin_file(card, path);

	if (f == NULL)
		return UICC_ENOTFOUND;
	if (f->type != UICC_FT_TRANSPARENT || offset > f->size || len > f->size - offset ||
	    (len > 0 && data == NULL))
		return UICC_EARG;
	return admin_write(card, f->data + offset, data, len);
}

int uicc_admin_read_record(const struct uicc *card, const char *path, unsigned rec,
			   uint8_t *out, size_t len)
{
	const struct uicc_file *f = admin_file(card, path);
	const uint8_t *r;

	if (f == NULL)
		return UICC_ENOTFOUND;
	r = uicc_fs_record(f, rec);
	if (r == NULL || len != f->rec_len)
		return UICC_EARG;
	memcpy(out, r, len);
	return 0;
}

int uicc_admin_update_record(struct uicc *card, const char *path, unsigned rec,
			     const uint8_t *data, size_t len)
{
	struct uicc_file *f = admin_file(card, path);
	uint8_t *r;

	if (f == NULL)
		return UICC_ENOTFOUND;
	r = uicc_fs_record(f, rec);
	if (r == NULL || len != f->rec_len || data == NULL)
		return UICC_EARG;
	return admin_write(card, r, data, len);
}

int uicc_admin_set_pin(struct uicc *card, uint8_t ref, const uint8_t value[8],
		       const uint8_t *puk)
{
	struct uicc_pin *p = card ? uicc_pin_find(card, ref) : NULL;
	int rc;
	/* ADM keys (0A..0E, 8A..8E) are not restricted to digits */
	int adm = (ref & 0x7f) >= 0x0a && (ref & 0x7f) <= 0x0e;

	if (p == NULL)
		return UICC_ENOTFOUND;
	if (value == NULL || (!adm && !uicc_pin_format_ok(value)))
		return UICC_EARG;
	if (puk != NULL && !p->has_puk)
		return UICC_EARG;
	uicc_txn_begin(card);
	rc = uicc_pwrite(card, p->value, value, UICC_PIN_LEN);
	if (rc == 0)
		rc = uicc_pwrite(card, &p->retries, &p->max_retries, 1);
	if (rc == 0 && puk != NULL)
		rc = uicc_pwrite(card, p->puk, puk, UICC_PIN_LEN);
	if (rc == 0 && p->has_puk)
		rc = uicc_pwrite(card, &p->puk_retries, &p->puk_max_retries, 1);
	if (rc < 0) {
		uicc_txn_abort(card);
		return rc;
	}
	return uicc_txn_commit(card);
}
