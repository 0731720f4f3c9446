/* uicc.c - card life cycle and the APDU dispatcher (TS 102 221 §7, §10);
 * see uicc.h.  The transport rules of TS 102 221 §7.2 (T=0: 61xx + GET
 * RESPONSE, 6Cxx) are applied here, after the command handler ran. */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "card/apdu.h"
#include "card/cmd.h"
#include "card/fs.h"
#include "card/pin.h"
#include "card/profile.h"
#include "card/txn.h"
#include "uicckit/m2m.h"

/* TS 102 221 §6.3 / ISO/IEC 7816-3: T=0, TA1 96, T=15 global bytes, our
 * historical bytes (pre-issuing data "uicckit"), TCK. */
static const uint8_t atr[] = {
	0x3b, 0x9f, 0x96, 0x80, 0x1f, 0x87, 0x80, 0x31, 0xe0, 0x73, 0xfe,
	0x21, 0x1b, 0x67, 0x75, 0x69, 0x63, 0x63, 0x6b, 0x69, 0x74, 0xfa,
};

int uicc_rsp_put(struct uicc_rsp *r, const void *p, size_t n)
{
	if (n > r->cap - r->len)
		return UICC_EARG;
	memcpy(r->data + r->len, p, n);
	r->len += n;
	return 0;
}

const char *uicc_strerror(int err)
{
	switch (err) {
	case UICC_OK:
		return "success";
	case UICC_ENOMEM:
		return "out of memory";
	case UICC_EPROFILE:
		return "card image does not follow the schema";
	case UICC_EIO:
		return "storage failed";
	case UICC_ECORRUPT:
		return "card image damaged";
	case UICC_EARG:
		return "bad argument";
	case UICC_ENOTFOUND:
		return "not found";
	default:
		return "unknown error";
	}
}

static void clear_pending(struct uicc *card)
{
	free(card->pending);
	card->pending = NULL;
	card->pending_len = card->pending_off = 0;
}

struct uicc *uicc_new(const json_t *image, char *err, size_t errlen)
{
	struct uicc *card = calloc(1, sizeof(*card));
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (card == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rc = uicc_profile_load(card, image, err, errlen);
	if (rc == 0) {
		rc = uicc_apps_install(card);
		if (rc < 0 && err != NULL && errlen > 0)
			snprintf(err, errlen, "an ADF names an unknown applet or applet install failed");
	}
	if (rc == 0) {
		/* the M2M profile (CAT, OTA receiver, key-set switch), when the
		 * image carries its files */
		rc = uicc_m2m_install(card);
		if (rc < 0 && err != NULL && errlen > 0)
			snprintf(err, errlen, "M2M profile files are inconsistent");
	} else if (rc == UICC_ENOMEM && err != NULL && errlen > 0) {
		snprintf(err, errlen, "out of memory");
	}
	if (rc < 0) {
		uicc_free(card);
		return NULL;
	}
	uicc_channels_reset(card);
	return card;
}

json_t *uicc_to_json(const struct uicc *card)
{
	return card ? uicc_profile_save(card) : NULL;
}

void uicc_free(struct uicc *card)
{
	size_t i;

	if (card == NULL)
		return;
	for (i = 0; i < card->n_hooks; i++)
		if (card->hooks[i].ops->destroy != NULL)
			card->hooks[i].ops->destroy(card->hooks[i].ctx);
	uicc_apps_free(card);
	uicc_journal_clear(card);
	free(card->jrnl);
	uicc_fs_free(card->mf);
	uicc_fs_free(card->adfs);
	for (i = 0; i < card->n_pins; i++)
		free(card->pins[i].name);
	free(card->profile_name);
	clear_pending(card);
	OPENSSL_cleanse(card, sizeof(*card));	/* PIN values, PUKs */
	free(card);
}

void uicc_set_store(struct uicc *card, const struct uicc_store_ops *ops, void *ctx)
{
	card->store = ops;
	card->store_ctx = ctx;
}

void uicc_set_transport(struct uicc *card, enum uicc_transport t)
{
	card->transport = t;
}

int uicc_hooks_add(struct uicc *card, const struct uicc_hooks *ops, void *ctx)
{
	if (card == NULL || ops == NULL)
		return UICC_EARG;
	if (card->n_hooks == UICC_MAX_HOOKS)
		return UICC_ENOMEM;
	card->hooks[card->n_hooks].ops = ops;
	card->hooks[card->n_hooks].ctx = ctx;
	card->n_hooks++;
	return 0;
}

const uint8_t *uicc_terminal_profile(const struct uicc *card, size_t *len)
{
	*len = card->terminal_profile_len;
	return card->terminal_profile;
}

void uicc_hooks_authenticated(struct uicc *card, unsigned idx, int outcome)
{
	size_t i;

	for (i = 0; i < card->n_hooks; i++)
		if (card->hooks[i].ops->authenticated != NULL)
			card->hooks[i].ops->authenticated(card, card->hooks[i].ctx, idx, outcome);
}

static size_t proactive_len(struct uicc *card)
{
	size_t i, n;

	for (i = 0; i < card->n_hooks; i++)
		if (card->hooks[i].ops->proactive_len != NULL &&
		    (n = card->hooks[i].ops->proactive_len(card, card->hooks[i].ctx)) > 0)
			return n;
	return 0;
}

static int hook_command(struct uicc *card, const struct uicc_apdu *a, struct uicc_rsp *r)
{
	size_t i, out;
	int sw;

	for (i = 0; i < card->n_hooks; i++) {
		if (card->hooks[i].ops->command == NULL)
			continue;
		out = 0;
		sw = card->hooks[i].ops->command(card, card->hooks[i].ctx, a, r->data + r->len,
						 r->cap - r->len, &out);
		if (sw == UICC_APPLET_PASS)
			continue;
		if (out > r->cap - r->len || sw < 0 || sw > 0xffff)
			return SW_TECH;
		r->len += out;
		return sw;
	}
	return UICC_APPLET_PASS;
}

static void reset_volatile(struct uicc *card)
{
	uicc_channels_reset(card);
	uicc_pin_reset_volatile(card);
	clear_pending(card);
	card->terminal_profile_len = 0;
	/* a reset mid-transaction loses the uncommitted writes */
	uicc_txn_rollback(card);
	card->txn_depth = 0;
}

size_t uicc_power_on(struct uicc *card, uint8_t *out, size_t cap)
{
	size_t i;

	reset_volatile(card);
	/* a new card session: the hooks count it (M2M fallback) */
	for (i = 0; i < card->n_hooks; i++)
		if (card->hooks[i].ops->reset != NULL)
			card->hooks[i].ops->reset(card, card->hooks[i].ctx);
	if (out == NULL || cap < sizeof(atr))
		return 0;
	memcpy(out, atr, sizeof(atr));
	return sizeof(atr);
}

void uicc_power_off(struct uicc *card)
{
	/* volatile state goes; no new session starts */
	reset_volatile(card);
}

int uicc_service_available(const struct uicc *card, unsigned chan, unsigned n)
{
	const struct uicc_file *ust, *adf;

	if (card == NULL || n == 0)
		return 0;
	if (chan == UICC_REMOTE_CHAN && card->remote != NULL)
		adf = card->remote->ch.adf;
	else if (chan < UICC_CHANNELS)
		adf = card->ch[chan].adf;
	else
		return 0;
	if (adf == NULL)
		return 0;
	/* TS 31.102 §4.2.8: service n is bit (n-1)%8 of byte (n-1)/8 */
	ust = uicc_fs_child(adf, 0x6f38);
	if (ust == NULL || ust->type != UICC_FT_TRANSPARENT || (n - 1) / 8 >= ust->size)
		return 0;
	return (ust->data[(n - 1) / 8] >> ((n - 1) % 8)) & 1;
}

/* GET RESPONSE (TS 102 221 §11.1.13, §7.2.2.3): no data pending -> 69 85. */
static int get_response(struct uicc *card, const struct uicc_apdu *a, struct uicc_rsp *r)
{
	size_t rem, want;

	if (a->p1 != 0 || a->p2 != 0)
		return SW_BAD_P1P2;
	if (a->lc != 0)
		return SW_WRONG_LEN;
	if (card->pending == NULL)
		return SW_CONDITIONS;
	rem = card->pending_len - card->pending_off;
	want = a->has_le ? a->le : 256;
	if (want > rem) {
		if (card->transport == UICC_TRANSPORT_T0)
			return 0x6c00 | (unsigned)(rem & 0xff);
		want = rem;
	}
	if (uicc_rsp_put(r, card->pending + card->pending_off, want) < 0)
		return SW_TECH;
	card->pending_off += want;
	rem -= want;
	if (rem == 0) {
		clear_pending(card);
		return SW_OK;
	}
	return 0x6100 | (unsigned)(rem > 255 ? 0 : rem);
}

static int cmd_terminal_profile(struct uicc *card, const struct uicc_apdu *a)
{
	if (a->p1 != 0 || a->p2 != 0)
		return SW_BAD_P1P2;
	if (a->chan != 0)
		return SW_CHAN_UNSUPP;
	card->terminal_profile_len = a->lc < sizeof(card->terminal_profile) ?
		a->lc : sizeof(card->terminal_profile);
	if (a->lc)
		memcpy(card->terminal_profile, a->data, card->terminal_profile_len);
	return SW_OK;
}

/* Commands of the interindustry class (CLA 0X/4X-7X). */
static int dispatch_iso(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a,
			struct uicc_rsp *r)
{
	switch (a->ins) {
	case 0xa4:
		return uicc_cmd_select(card, ch, a, r);
	case 0xb0:
	case 0xd6:
		return uicc_cmd_binary(card, ch, a, r);
	case 0xb2:
	case 0xdc:
		return uicc_cmd_record(card, ch, a, r);
	case 0xa2:
		return uicc_cmd_search(card, ch, a, r);
	case 0x20:
	case 0x24:
	case 0x26:
	case 0x28:
	case 0x2c:
		return uicc_pin_cmd(card, a);
	case 0x70:
		return uicc_cmd_manage_channel(card, a, r);
	case 0x04:
	case 0x44:
		return uicc_cmd_lifecycle(card, ch, a);
	case 0xc0:
		return get_response(card, a, r);
	case 0xf2:
	case 0x10:
	case 0xc2:
	case 0x12:
	case 0x14:
	case 0xaa:
	case 0x32:
		return SW_CLA_UNSUPP;	/* TS 102 221 commands need CLA 8X */
	default:
		return SW_INS_UNSUPP;
	}
}

/* Commands of the TS 102 221 class (CLA 8X/CX). */
static int dispatch_prop(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a,
			 struct uicc_rsp *r)
{
	int sw;

	switch (a->ins) {
	case 0xf2:
		return uicc_cmd_status(card, ch, a, r);
	case 0xc0:
		return get_response(card, a, r);
	case 0x10:
		sw = cmd_terminal_profile(card, a);
		if (sw == SW_OK && (sw = hook_command(card, a, r)) == UICC_APPLET_PASS)
			sw = SW_OK;
		return sw;
	case 0xaa:
		return a->p1 == 0 && a->p2 == 0 ? SW_OK : SW_BAD_P1P2;
	case 0xa4:
	case 0xb0:
	case 0xd6:
	case 0xb2:
	case 0xdc:
	case 0xa2:
	case 0x20:
	case 0x24:
	case 0x26:
	case 0x28:
	case 0x2c:
	case 0x70:
	case 0x88:
		return SW_CLA_UNSUPP;	/* interindustry commands need CLA 0X */
	default:
		sw = hook_command(card, a, r);
		return sw == UICC_APPLET_PASS ? SW_INS_UNSUPP : sw;
	}
}

static int applet_first(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a,
			struct uicc_rsp *r)
{
	struct uicc_applet_slot *s;
	size_t out = 0;
	int sw;

	if (ch->applet < 0 || (size_t)ch->applet >= card->n_applets)
		return UICC_APPLET_PASS;
	if (a->ins == 0xa4 || a->ins == 0x70 || a->ins == 0xc0)
		return UICC_APPLET_PASS;
	s = &card->applets[ch->applet];
	if (s->ops == NULL || s->ops->process == NULL)
		return UICC_APPLET_PASS;
	sw = s->ops->process(card, s->state, a, r->data + r->len, r->cap - r->len, &out);
	if (sw == UICC_APPLET_PASS)
		return sw;
	if (out > r->cap - r->len || sw < 0 || sw > 0xffff)
		return SW_TECH;
	r->len += out;
	return sw;
}

static int run(struct uicc *card, struct uicc_apdu *a, struct uicc_rsp *r)
{
	struct uicc_channel *ch;
	int prop, sw;
	unsigned chan;

	sw = uicc_apdu_cla(a->cla, &chan, &prop);
	if (sw != 0)
		return sw;
	a->chan = chan;
	if ((a->ins & 0xf0) == 0x60 || (a->ins & 0xf0) == 0x90)
		return SW_INS_UNSUPP;	/* ISO/IEC 7816-3: invalid INS */
	if (card->remote != NULL) {
		/* remote session: its own context; no channel management */
		if (a->ins == 0x70 || a->ins == 0xc0)
			return SW_INS_UNSUPP;
		a->chan = UICC_REMOTE_CHAN;
		ch = &card->remote->ch;
	} else {
		if (chan >= UICC_CHANNELS || !card->ch[chan].open)
			return SW_CHAN_UNSUPP;
		ch = &card->ch[chan];
		if (a->ins != 0xc0)
			clear_pending(card);
	}
	sw = applet_first(card, ch, a, r);
	if (sw != UICC_APPLET_PASS)
		return sw;
	r->len = 0;
	return prop ? dispatch_prop(card, ch, a, r) : dispatch_iso(card, ch, a, r);
}

static int is_error(int sw)
{
	return (sw & 0xff00) >= 0x6400 && (sw & 0xf000) == 0x6000;
}

static int keep_pending(struct uicc *card, const uint8_t *p, size_t n)
{
	clear_pending(card);
	card->pending = malloc(n);
	if (card->pending == NULL)
		return -1;
	memcpy(card->pending, p, n);
	card->pending_len = n;
	return 0;
}

/* Will shape() answer 6Cxx for this response length? */
static int shape_wants_retry(const struct uicc *card, const struct uicc_apdu *a, size_t n)
{
	if (!a->has_le || a->le == n)
		return 0;
	if (card->transport == UICC_TRANSPORT_T0)
		return a->lc == 0 && (n <= 256 || a->le != 256);
	return a->le < n && n <= 256 && !a->extended;
}

/* TS 102 221 §7.2.2 (T=0) and §7.3 (direct/T=1) response rules. */
static int shape(struct uicc *card, const struct uicc_apdu *a, struct uicc_rsp *r, int sw)
{
	size_t n = r->len;

	if (n == 0 || a->ins == 0xc0)
		return sw;
	if ((sw & 0xff00) != 0x9000) {
		if (card->transport == UICC_TRANSPORT_T0)
			r->len = 0;	/* T=0: warnings travel without data */
		return sw;
	}
	if (card->transport == UICC_TRANSPORT_T0) {
		if (a->has_le && a->lc == 0 && a->le == n)
			return sw;
		if (a->has_le && a->lc == 0 && (n <= 256 || a->le != 256)) {
			r->len = 0;
			return 0x6c00 | (unsigned)(n & 0xff);
		}
		if (a->has_le && a->lc == 0) {
			/* longer than 256: first 256 now, the rest by GET RESPONSE */
			if (keep_pending(card, r->data + 256, n - 256) < 0)
				return SW_MEMORY;
			r->len = 256;
			return 0x6100 | (unsigned)(n - 256 > 255 ? 0 : n - 256);
		}
		/* case 1/3/4: the data waits for GET RESPONSE */
		if (keep_pending(card, r->data, n) < 0) {
			r->len = 0;
			return SW_MEMORY;
		}
		r->len = 0;
		return 0x6100 | (unsigned)(n > 255 ? 0 : n);
	}
	if (a->has_le && a->le < n) {
		if (n <= 256 && !a->extended) {
			r->len = 0;
			return 0x6c00 | (unsigned)(n & 0xff);
		}
		r->len = a->le;
	}
	return sw;
}

struct uicc_remote *uicc_remote_new(struct uicc *card, const uint8_t *granted_refs, size_t n)
{
	struct uicc_remote *rs;

	if (card == NULL || n > sizeof(rs->granted) || (n > 0 && granted_refs == NULL))
		return NULL;
	rs = calloc(1, sizeof(*rs));
	if (rs == NULL)
		return NULL;
	if (n > 0)
		memcpy(rs->granted, granted_refs, n);
	rs->n_granted = n;
	rs->ch.open = 1;
	rs->ch.df = card->mf;
	rs->ch.applet = -1;
	return rs;
}

void uicc_remote_free(struct uicc_remote *rs)
{
	free(rs);
}

size_t uicc_transmit_remote(struct uicc *card, struct uicc_remote *rs, const uint8_t *capdu,
			    size_t len, uint8_t *rapdu, size_t cap)
{
	struct uicc_remote *outer;
	enum uicc_transport t;
	size_t n;

	if (card == NULL || rs == NULL)
		return uicc_transmit(NULL, capdu, len, rapdu, cap);
	outer = card->remote;
	t = card->transport;
	card->remote = rs;
	card->transport = UICC_TRANSPORT_DIRECT;
	n = uicc_transmit(card, capdu, len, rapdu, cap);
	card->transport = t;
	card->remote = outer;
	return n;
}

size_t uicc_transmit(struct uicc *card, const uint8_t *capdu, size_t len,
		     uint8_t *rapdu, size_t cap)
{
	struct uicc_apdu a;
	struct uicc_rsp r;
	struct uicc_channel saved[UICC_CHANNELS], rsaved = { 0 };
	size_t mark;
	int sw;

	if (rapdu == NULL || cap < 2)
		return 0;
	if (card == NULL || (capdu == NULL && len > 0)) {
		rapdu[0] = 0x6f;
		rapdu[1] = 0x00;
		return 2;
	}
	r.data = rapdu;
	r.len = 0;
	r.cap = cap - 2;
	uicc_txn_begin(card);
	mark = card->jrnl_n;
	memcpy(saved, card->ch, sizeof(saved));
	if (card->remote != NULL)
		rsaved = card->remote->ch;
	sw = uicc_apdu_parse(capdu, len, &a);
	if (sw == 0)
		sw = run(card, &a, &r);
	if (sw >= 0 && sw <= 0xffff && sw != SW_MEMORY && r.len > 0 && a.ins != 0xc0 &&
	    (sw & 0xff00) == 0x9000 && shape_wants_retry(card, &a, r.len)) {
		/* 6Cxx: the terminal repeats the command with the right Le, so
		 * this attempt must leave no trace (record pointer, writes) */
		memcpy(card->ch, saved, sizeof(saved));
		if (card->remote != NULL)
			card->remote->ch = rsaved;
		uicc_txn_rollback_to(card, mark);
	}
	if (is_error(sw)) {
		/* a failing command leaves no partial write behind */
		r.len = 0;
		uicc_txn_rollback_to(card, mark);
	}
	if (uicc_txn_commit(card) < 0) {
		r.len = 0;
		sw = SW_MEMORY;
	}
	if (sw != SW_MEMORY && sw >= 0)
		sw = shape(card, &a, &r, sw);
	if (sw == SW_OK && card->n_hooks > 0 && card->remote == NULL) {
		/* TS 102 221 §7.4.2.2: signal a pending proactive command */
		size_t pl = proactive_len(card);

		if (pl > 0)
			sw = 0x9100 | (unsigned)(pl > 255 ? 0 : pl);
	}
	if (sw < 0 || sw > 0xffff)
		sw = SW_TECH;
	rapdu[r.len] = (uint8_t)(sw >> 8);
	rapdu[r.len + 1] = (uint8_t)sw;
	return r.len + 2;
}
