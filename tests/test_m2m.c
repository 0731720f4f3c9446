/*
 * test_m2m.c - the M2M profile end to end (TR 33.812 Alternative 3b): a
 * card with 4 key sets authenticates with set 0; an OTA switch to IMSI 2 /
 * key set 1 built with libota arrives as ENVELOPE; the PoR verifies with
 * set 0's keys; FETCH gives REFRESH; EF.IMSI reads the new IMSI; set 1
 * authenticates, set 0 gets 98 62; set 0's OTA keys are refused.  Then the
 * fallback, the negative matrix (every refused packet leaves the card
 * image byte-identical except a consumed counter, and never gets a
 * protected PoR), and power cuts at every store commit of a switch.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/bcd.h"
#include "common/hex.h"
#include "card/cat.h"
#include "tests/cardtest.h"
#include "tests/otatest.h"
#include "uicckit/auth.h"
#include "uicckit/envelope.h"
#include "uicckit/keyset.h"
#include "uicckit/m2m.h"
#include "uicckit/perso.h"
#include "uicckit/por.h"
#include "uicckit/sms.h"

#define IMSI1 "001010000000001"
#define IMSI2 "001020000000002"

struct fx {
	struct uicc *card;
	struct uicc_keyset ks[4];
	uint64_t cntr[4];
	uint8_t r[UICC_RAPDU_MAX];
	size_t rlen;
	unsigned sw;
};

static unsigned xmit(struct fx *f, const uint8_t *apdu, size_t len)
{
	f->rlen = uicc_transmit(f->card, apdu, len, f->r, sizeof(f->r));
	f->sw = (unsigned)f->r[f->rlen - 2] << 8 | f->r[f->rlen - 1];
	return f->sw;
}

static unsigned xhex(struct fx *f, const char *hex)
{
	uint8_t a[512];
	size_t n;

	ck_assert_int_eq(uk_hex_decode(hex, a, sizeof(a), &n), 0);
	return xmit(f, a, n);
}

static void power_up(struct fx *f)
{
	uicc_power_on(f->card, NULL, 0);
	/* TERMINAL PROFILE: SMS-PP download, REFRESH, SEND SHORT MESSAGE */
	ck_assert_uint_eq(xhex(f, "8010000004 03 00 80 02"), 0x9000);
}

static void setup_card(struct fx *f)
{
	struct uicc_perso p;
	int i;

	memset(f, 0, sizeof(*f));
	memset(&p, 0, sizeof(p));
	strcpy(p.iccid, "89882390000000000019");
	strcpy(p.imsi, IMSI1);
	f->card = ot_perso_card(&p, 4);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(uicc_keyset_get(f->card, (unsigned)i, &f->ks[i]), 0);
	uicc_perso_cleanse(&p);
	power_up(f);
}

static void teardown_card(struct fx *f)
{
	int i;

	for (i = 0; i < 4; i++)
		uicc_keyset_cleanse(&f->ks[i]);
	uicc_free(f->card);
}

static char *image(const struct fx *f)
{
	json_t *j = uicc_to_json(f->card);
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);

	json_decref(j);
	return s;
}

/* AUTHENTICATE (3G) with a vector of key set `idx`; returns the SW and
 * checks RES on success. */
static unsigned authenticate(struct fx *f, int idx, uint64_t sqn)
{
	struct auth_ctx *cx = auth_ctx_new();
	struct auth_keyset ak = { .alg = AUTH_ALG_MILENAGE, .k_len = 16, .op_len = 16,
				  .op_is_opc = 1 };
	struct auth_vector v;
	uint8_t rnd[16], sq[6], amf[2] = { 0x80, 0x00 }, apdu[5 + 34];
	int i;

	memcpy(ak.k, f->ks[idx].k, 16);
	memcpy(ak.op, f->ks[idx].opc, 16);
	for (i = 0; i < 16; i++)
		rnd[i] = (uint8_t)(i * 17 + idx + (int)sqn);
	for (i = 0; i < 6; i++)
		sq[i] = (uint8_t)(sqn >> (8 * (5 - i)));
	ck_assert_int_eq(auth_gen_vector(cx, &ak, rnd, sq, amf, &v), 0);
	auth_ctx_free(cx);
	ck_assert_uint_eq(xhex(f, "0020000108 31323334FFFFFFFF"), 0x9000);
	ck_assert_uint_eq(xhex(f, "00A4040C07A0000000871002"), 0x9000);
	memcpy(apdu, "\x00\x88\x00\x81\x22\x10", 6);
	memcpy(apdu + 6, v.rand, 16);
	apdu[22] = 0x10;
	memcpy(apdu + 23, v.autn, 16);
	xmit(f, apdu, 39);
	if (f->sw == 0x9000) {
		ck_assert_uint_eq(f->r[0], 0xdb);
		ck_assert_uint_eq(f->r[1], 8);
		ck_assert_mem_eq(f->r + 2, v.xres, 8);
	}
	return f->sw;
}

struct pkt_opts {
	int keyset;		/* whose keys and KVN */
	uint8_t spi[2];
	uint32_t tar;
	uint64_t cntr;
	uint8_t kic, kid;	/* 0: from the key set */
	int corrupt;		/* flip a byte of the packet */
	size_t truncate;	/* drop bytes at the end */
	size_t extra;		/* bytes appended after the packet (overlong) */
	uint8_t wire_kic;	/* 0, or the KIc byte put on the wire after building */
};

static void defaults(struct pkt_opts *o, int keyset, uint64_t cntr)
{
	memset(o, 0, sizeof(*o));
	o->keyset = keyset;
	o->spi[0] = 0x16;	/* counter higher, ciphered, CC */
	o->spi[1] = 0x19;	/* PoR always, CC, ciphered, DELIVER-REPORT */
	o->tar = 0xb00001;
	o->cntr = cntr;
}

static struct ota_cmd_hdr hdr_of(const struct fx *f, const struct pkt_opts *o)
{
	const struct uicc_keyset *ks = &f->ks[o->keyset];
	struct ota_cmd_hdr h;

	memset(&h, 0, sizeof(h));
	h.spi[0] = o->spi[0];
	h.spi[1] = o->spi[1];
	h.kic = o->kic ? o->kic : (uint8_t)(ks->kvn << 4 | ks->kic_alg);
	h.kid = o->kid ? o->kid : (uint8_t)(ks->kvn << 4 | ks->kid_alg);
	h.tar[0] = (uint8_t)(o->tar >> 16);
	h.tar[1] = (uint8_t)(o->tar >> 8);
	h.tar[2] = (uint8_t)o->tar;
	h.cntr = o->cntr;
	return h;
}

static void keys_of(const struct uicc_keyset *ks, struct ota_keys *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->kic_key, ks->kic, ks->kic_len);
	k->kic_key_len = ks->kic_len;
	memcpy(k->kid_key, ks->kid, ks->kid_len);
	k->kid_key_len = ks->kid_len;
}

/* Build the ENVELOPE(s) for a script and send them; returns the last SW.
 * segments 0: one SMS; n > 0: concatenated SMS, only the first n sent. */
static unsigned send_ota(struct fx *f, const struct pkt_opts *o, const uint8_t *script,
			 size_t slen, int segments)
{
	struct ota_cmd_hdr h = hdr_of(f, o);
	struct ota_keys k;
	struct ota_sms_deliver d;
	struct ota_sms_seg seg[8];
	uint8_t pkt[1024], tpdu[300], env[300];
	size_t tlen = 0, elen = 0, nseg = 0, i;
	int n;

	keys_of(&f->ks[o->keyset], &k);
	n = ota_cmd_build(&h, &k, script, slen, pkt, sizeof(pkt));
	ck_assert_int_gt(n, 0);
	if (o->corrupt)
		pkt[n - 1] ^= 0x5a;
	if (o->wire_kic)
		pkt[5] = o->wire_kic;	/* what an attacker would send */
	n -= (int)o->truncate;
	if (o->extra) {
		memset(pkt + n, 0x00, o->extra);
		n += (int)o->extra;
	}
	ota_sms_deliver_init(&d);
	ck_assert_int_eq(ota_sms_addr_set(&d.oa, "12345", 0x91), 0);
	if (segments == 0)
		return xmit(f, env, ot_envelope_raw(pkt, (size_t)n, env, sizeof(env)));
	ck_assert_int_eq(ota_concat_split(pkt, (size_t)n, OTA_IEI_CPI, 0x2a, 0, seg, 8, &nseg), 0);
	ck_assert_uint_ge(nseg, 2);
	for (i = 0; i < nseg && i < (size_t)segments; i++) {
		ck_assert_int_eq(ota_sms_deliver_build_seg(&d, &seg[i], i + 1 == nseg, tpdu,
							   sizeof(tpdu), &tlen), 0);
		ck_assert_int_eq(ota_env_sms_pp_build(tpdu, tlen, NULL, 0, env, sizeof(env), &elen), 0);
		xmit(f, env, elen);
	}
	return f->sw;
}

static size_t switch_script(const char *imsi, uint8_t index, uint8_t *out)
{
	static const uint8_t sel_imsi[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02, 0x6f, 0x07 };
	static const uint8_t sel_idx[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02, 0xff, 0x03 };
	size_t n = 0;

	memcpy(out + n, sel_imsi, 7);
	n += 7;
	memcpy(out + n, "\x00\xd6\x00\x00\x09", 5);
	n += 5;
	ck_assert_int_eq(uk_imsi_encode(imsi, out + n), 0);
	n += 9;
	memcpy(out + n, sel_idx, 7);
	n += 7;
	memcpy(out + n, "\x00\xd6\x00\x00\x01", 5);
	n += 5;
	out[n++] = index;
	return n;
}

/* Parse the PoR in the last response with key set `ks`'s keys. */
static int parse_por(struct fx *f, const struct pkt_opts *o, struct ota_por *por)
{
	struct ota_cmd_hdr h = hdr_of(f, o);
	struct ota_keys k;
	static uint8_t work[2048];

	keys_of(&f->ks[o->keyset], &k);
	ck_assert_uint_gt(f->rlen, 2);
	return ota_por_parse(f->r, f->rlen - 2, &h, &k, work, sizeof(work), por);
}

static void read_imsi(struct fx *f, char out[16])
{
	ck_assert_uint_eq(xhex(f, "0020000108 31323334FFFFFFFF"), 0x9000);
	ck_assert_uint_eq(xhex(f, "00A4040C07A0000000871002"), 0x9000);
	ck_assert_uint_eq(xhex(f, "00A4000C026F07"), 0x9000);
	ck_assert_uint_eq(xhex(f, "00B0000009"), 0x9000);
	ck_assert_int_eq(uk_imsi_decode(f->r, 9, out), 0);
}

static void do_switch(struct fx *f, uint64_t cntr)
{
	struct pkt_opts o;
	struct ota_por por;
	uint8_t s[64];
	size_t n = switch_script(IMSI2, 1, s);

	defaults(&o, 0, cntr);
	/* PoR in the ENVELOPE response, REFRESH pending: data + 91 0B */
	ck_assert_uint_eq(send_ota(f, &o, s, n, 0), 0x910b);
	ck_assert_int_eq(parse_por(f, &o, &por), 0);
	ck_assert_uint_eq(por.rsc, 0x00);
	ck_assert_int_eq(por.authenticated, 1);
	ck_assert_uint_eq(por.cntr, cntr);
	ck_assert_uint_eq(por.dlen, 3);
	ck_assert_uint_eq(por.data[0], 4);	/* 4 commands, last 90 00 */
	ck_assert_uint_eq(por.data[1], 0x90);
	ck_assert_uint_eq(por.data[2], 0x00);
	/* FETCH: REFRESH, UICC reset */
	ck_assert_uint_eq(xhex(f, "801200000B"), 0x9000);
	ck_assert_uint_eq(f->rlen, 13);
	ck_assert_mem_eq(f->r, "\xd0\x09\x81\x03", 4);
	ck_assert_uint_eq(f->r[5], 0x01);
	ck_assert_uint_eq(f->r[6], 0x04);
	power_up(f);	/* the terminal resets the card */
}

START_TEST(switch_end_to_end)
{
	struct fx f;
	struct pkt_opts o;
	struct ota_por por;
	char imsi[16];
	uint8_t s[64], st[16];
	size_t n;
	char *before, *after;

	setup_card(&f);
	/* EF.M2MSTATE from personalisation on: 3 key sets loaded and unused */
	ck_assert_uint_eq(xhex(&f, "00A4040C07A0000000871002"), 0x9000);
	ck_assert_uint_eq(xhex(&f, "00A4000C02FF04"), 0x9000);
	ck_assert_uint_eq(xhex(&f, "00B0000010"), 0x9000);
	ck_assert_uint_eq(f.r[UICC_M2M_ST_UNUSED], 3);
	ck_assert_uint_eq(authenticate(&f, 0, 0x20), 0x9000);
	read_imsi(&f, imsi);
	ck_assert_str_eq(imsi, IMSI1);
	do_switch(&f, 1);
	read_imsi(&f, imsi);
	ck_assert_str_eq(imsi, IMSI2);
	ck_assert_uint_eq(authenticate(&f, 0, 0x40), 0x9862);
	ck_assert_uint_eq(authenticate(&f, 1, 0x20), 0x9000);
	/* EF.M2MSTATE: confirmed, 2 unused key sets left (2 and 3) */
	ck_assert_uint_eq(xhex(&f, "00A4000C02FF04"), 0x9000);
	ck_assert_uint_eq(xhex(&f, "00B0000010"), 0x9000);
	memcpy(st, f.r, 16);
	ck_assert_uint_eq(st[UICC_M2M_ST_EVENT], UICC_M2M_EV_CONFIRMED);
	ck_assert_uint_eq(st[UICC_M2M_ST_PENDING], 0);
	ck_assert_uint_eq(st[UICC_M2M_ST_UNUSED], 2);
	/* the old operator's OTA keys are refused: plain PoR, RSC 06 */
	before = image(&f);
	n = switch_script(IMSI1, 2, s);
	defaults(&o, 0, 2);
	ck_assert_uint_eq(send_ota(&f, &o, s, n, 0), 0x9000);
	ck_assert_int_eq(parse_por(&f, &o, &por), 0);
	ck_assert_uint_eq(por.rsc, 0x06);
	ck_assert_int_eq(por.authenticated, 0);
	ck_assert_uint_eq(por.cntr, 0);
	after = image(&f);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* a confirmed switch never reverts */
	power_up(&f);
	power_up(&f);
	power_up(&f);
	power_up(&f);
	read_imsi(&f, imsi);
	ck_assert_str_eq(imsi, IMSI2);
	teardown_card(&f);
}
END_TEST

START_TEST(fallback_after_sessions)
{
	struct fx f;
	char imsi[16];
	int i;

	setup_card(&f);
	do_switch(&f, 1);	/* session 1 starts here */
	for (i = 0; i < 2; i++)
		power_up(&f);	/* sessions 2, 3: still pending */
	read_imsi(&f, imsi);
	ck_assert_str_eq(imsi, IMSI2);
	power_up(&f);		/* session 4: no AUTHENTICATE came, revert */
	read_imsi(&f, imsi);
	ck_assert_str_eq(imsi, IMSI1);
	ck_assert_uint_eq(authenticate(&f, 0, 0x20), 0x9000);
	ck_assert_uint_eq(authenticate(&f, 1, 0x40), 0x9862);
	ck_assert_uint_eq(xhex(&f, "00A4000C02FF04"), 0x9000);
	ck_assert_uint_eq(xhex(&f, "00B0000010"), 0x9000);
	ck_assert_uint_eq(f.r[UICC_M2M_ST_EVENT], UICC_M2M_EV_REVERTED);
	/* key set 1 is gone for good: switching to it again is refused */
	{
		struct pkt_opts o;
		struct ota_por por;
		uint8_t s[64];
		size_t n = switch_script(IMSI2, 1, s);

		defaults(&o, 0, 2);
		ck_assert_uint_eq(send_ota(&f, &o, s, n, 0), 0x9000);
		ck_assert_int_eq(parse_por(&f, &o, &por), 0);
		ck_assert_uint_eq(por.rsc, 0x00);
		ck_assert_uint_eq(por.data[0], 4);
		ck_assert_uint_eq((unsigned)por.data[1] << 8 | por.data[2], UICC_M2M_SW_INVALID);
		read_imsi(&f, imsi);
		ck_assert_str_eq(imsi, IMSI1);
	}
	teardown_card(&f);
}
END_TEST

/* Packets that must change nothing but (where the checks passed) the
 * counter, and never get a protected PoR. */
START_TEST(negative_matrix)
{
	struct fx f;
	uint8_t s[64];
	size_t n;
	int t;

	setup_card(&f);
	n = switch_script(IMSI2, 1, s);
	for (t = 0; t < 13; t++) {
		struct pkt_opts o;
		struct ota_por por;
		char *before, *after;
		int expect_rsc = -1;	/* -1: no PoR data at all */
		unsigned expect_sw = 0x9000;

		defaults(&o, 0, 10);
		switch (t) {
		case 0: o.corrupt = 1; expect_rsc = 0x01; break;		/* bad CC */
		case 1: o.kic = 0x72; o.kid = 0x72; expect_rsc = 0x06; break;	/* wrong KVN */
		case 2: o.tar = 0xb20000; expect_rsc = 0x09; break;		/* unknown TAR */
		case 3: o.cntr = 0; expect_rsc = 0x02; break;			/* not higher */
		case 4: o.spi[0] = 0x1e; o.cntr = 5; expect_rsc = 0x03; break;	/* one higher violated */
		case 5: o.spi[0] = 0x00; o.spi[1] = 0x01; expect_rsc = 0x0a; break; /* unsecured */
		case 6: o.spi[0] = 0x12; expect_rsc = 0x0a; break;		/* not ciphered */
		case 7: o.wire_kic = 0x11; expect_rsc = 0x06; break;	/* single DES */
		case 8: o.truncate = 3; expect_rsc = 0x06; break;		/* truncated */
		case 9: o.spi[1] = 0x00; o.corrupt = 1; break;			/* no PoR asked */
		case 10: o.tar = 0x000000; expect_rsc = 0x09; break;		/* RAM: off */
		case 11: o.kid = 0x15; expect_rsc = 0x06; break;		/* algorithm mismatch */
		case 12: o.extra = 16; expect_rsc = 0x06; break;		/* overlong */
		}
		before = image(&f);
		ck_assert_uint_eq(send_ota(&f, &o, s, n, 0), expect_sw);
		if (expect_rsc < 0) {
			ck_assert_uint_eq(f.rlen, 2);
		} else {
			ck_assert_msg(f.rlen == 18, "case %d: PoR of %zu bytes", t, f.rlen - 2);
			ck_assert_int_eq(parse_por(&f, &o, &por), 0);
			ck_assert_msg(por.rsc == expect_rsc, "case %d: rsc %02x", t, por.rsc);
			ck_assert_int_eq(por.authenticated, 0);
			ck_assert_uint_eq(por.cntr, 0);
			ck_assert_uint_eq(f.r[5], 0x0a);	/* RHL 0A: no CC */
		}
		after = image(&f);
		ck_assert_msg(strcmp(before, after) == 0, "case %d changed the card", t);
		free(before);
		free(after);
	}
	teardown_card(&f);
}
END_TEST

START_TEST(replay_and_exhaustion)
{
	struct fx f;
	struct pkt_opts o;
	struct ota_por por;
	uint8_t s[64];
	size_t n;
	char imsi[16];

	setup_card(&f);
	/* a script that fails: the counter is consumed, nothing else */
	n = switch_script(IMSI2, 9, s);	/* index 9 holds no keys */
	defaults(&o, 0, 1);
	ck_assert_uint_eq(send_ota(&f, &o, s, n, 0), 0x9000);
	ck_assert_int_eq(parse_por(&f, &o, &por), 0);
	ck_assert_uint_eq(por.rsc, 0x00);
	ck_assert_int_eq(por.authenticated, 1);
	ck_assert_uint_eq((unsigned)por.data[1] << 8 | por.data[2], UICC_M2M_SW_INVALID);
	read_imsi(&f, imsi);
	ck_assert_str_eq(imsi, IMSI1);
	/* beyond the last key set */
	n = switch_script(IMSI2, 16, s);
	defaults(&o, 0, 2);
	ck_assert_uint_eq(send_ota(&f, &o, s, n, 0), 0x9000);
	ck_assert_int_eq(parse_por(&f, &o, &por), 0);
	ck_assert_uint_eq((unsigned)por.data[1] << 8 | por.data[2], UICC_M2M_SW_EXHAUSTED);
	/* the same packet again: counter 2 is used up */
	ck_assert_uint_eq(send_ota(&f, &o, s, n, 0), 0x9000);
	ck_assert_int_eq(parse_por(&f, &o, &por), 0);
	ck_assert_uint_eq(por.rsc, 0x02);
	ck_assert_int_eq(por.authenticated, 0);
	teardown_card(&f);
}
END_TEST

START_TEST(concatenated_switch)
{
	struct fx f;
	struct pkt_opts o;
	struct ota_por por;
	uint8_t s[400];
	size_t n;
	char imsi[16], *before, *after;

	setup_card(&f);
	n = switch_script(IMSI2, 1, s);
	/* harmless SELECTs first, so that the packet needs two SMS */
	memmove(s + 30 * 7, s, n);
	for (size_t i = 0; i < 30; i++)
		memcpy(s + 7 * i, "\x00\xa4\x00\x0c\x02\x6f\xad", 7);
	n += 30 * 7;
	/* only the first segment: acknowledged, nothing happens */
	before = image(&f);
	defaults(&o, 0, 1);
	ck_assert_uint_eq(send_ota(&f, &o, s, n, 1), 0x9000);
	ck_assert_uint_eq(f.rlen, 2);
	after = image(&f);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* a reset drops the partial packet; then both segments: applied */
	power_up(&f);
	defaults(&o, 0, 2);
	ck_assert_uint_eq(send_ota(&f, &o, s, n, 8), 0x910b);
	ck_assert_int_eq(parse_por(&f, &o, &por), 0);
	ck_assert_uint_eq(por.rsc, 0x00);
	ck_assert_uint_eq(por.data[0], 34);
	ck_assert_uint_eq(xhex(&f, "801200000B"), 0x9000);
	power_up(&f);
	read_imsi(&f, imsi);
	ck_assert_str_eq(imsi, IMSI2);
	teardown_card(&f);
}
END_TEST

/* Alternative 3a: the new operator replaces K/OPc of the key set in use
 * through the write-only EF.KEYXFER, inside a ciphered secured packet. */
/* Alternative 3a keeps the key set and changes EF.IMSI alone: the card
 * asks for REFRESH all the same, so that the terminal reads the new IMSI;
 * a script that leaves EF.IMSI as it was does not. */
START_TEST(imsi_only_refresh)
{
	struct fx f;
	struct pkt_opts o;
	struct ota_por por;
	uint8_t s[64], bcd[9];
	char imsi[16];
	size_t n = 0;

	setup_card(&f);
	ck_assert_int_eq(uk_imsi_encode(IMSI2, bcd), 0);
	memcpy(s, "\x00\xa4\x00\x0c\x02\x6f\x07\x00\xd6\x00\x00\x09", 12);
	memcpy(s + 12, bcd, 9);
	n = 21;
	defaults(&o, 0, 1);
	ck_assert_uint_eq(send_ota(&f, &o, s, n, 0), 0x910b);
	ck_assert_int_eq(parse_por(&f, &o, &por), 0);
	ck_assert_uint_eq(por.rsc, 0x00);
	ck_assert_uint_eq(xhex(&f, "801200000B"), 0x9000);
	ck_assert_uint_eq(f.r[5], 0x01);	/* REFRESH */
	ck_assert_uint_eq(f.r[6], 0x04);	/* UICC reset */
	power_up(&f);
	read_imsi(&f, imsi);
	ck_assert_str_eq(imsi, IMSI2);
	/* the same IMSI written again: nothing changed, no REFRESH */
	defaults(&o, 0, 2);
	ck_assert_uint_eq(send_ota(&f, &o, s, n, 0), 0x9000);
	ck_assert_int_eq(parse_por(&f, &o, &por), 0);
	ck_assert_uint_eq(por.rsc, 0x00);
	/* key set 0 still in use */
	ck_assert_uint_eq(authenticate(&f, 0, 0x20), 0x9000);
	teardown_card(&f);
}
END_TEST

START_TEST(rekey_alternative_3a)
{
	struct fx f;
	struct pkt_opts o;
	struct ota_por por;
	uint8_t s[128], newk[16], newopc[16];
	size_t n = 0, i;
	struct uicc_keyset now;

	setup_card(&f);
	for (i = 0; i < 16; i++) {
		newk[i] = (uint8_t)(0xa0 + i);
		newopc[i] = (uint8_t)(0x30 + 3 * i);
	}
	memcpy(s, "\x00\xa4\x00\x0c\x02\xff\x05\x00\xd6\x00\x00\x42\x01\x10", 14);
	n = 14;
	memcpy(s + n, newk, 16);
	n += 16;
	memcpy(s + n, newopc, 16);
	n += 16;
	memset(s + n, 0xff, 32);
	n += 32;
	defaults(&o, 0, 1);
	ck_assert_uint_eq(send_ota(&f, &o, s, n, 0), 0x9000);
	ck_assert_int_eq(parse_por(&f, &o, &por), 0);
	ck_assert_uint_eq(por.rsc, 0x00);
	ck_assert_uint_eq(por.data[0], 2);
	ck_assert_uint_eq((unsigned)por.data[1] << 8 | por.data[2], 0x9000);
	/* the old K is gone, the new one authenticates */
	ck_assert_uint_eq(authenticate(&f, 0, 0x20), 0x9862);
	memcpy(f.ks[0].k, newk, 16);
	memcpy(f.ks[0].opc, newopc, 16);
	ck_assert_uint_eq(authenticate(&f, 0, 0x20), 0x9000);
	ck_assert_int_eq(uicc_keyset_get(f.card, 0, &now), 0);
	ck_assert_mem_eq(now.k, newk, 16);
	uicc_keyset_cleanse(&now);
	/* the transfer file is write-only and empty again */
	ck_assert_uint_eq(xhex(&f, "00A4000C02FF05"), 0x9000);
	ck_assert_uint_eq(xhex(&f, "00B0000042"), 0x6982);
	/* the OTA keys were kept: the next packet under them is accepted */
	defaults(&o, 0, 2);
	n = 7;
	ck_assert_uint_eq(send_ota(&f, &o, (const uint8_t *)"\x00\xa4\x00\x0c\x02\x6f\x07", n, 0),
			  0x9000);
	ck_assert_int_eq(parse_por(&f, &o, &por), 0);
	ck_assert_uint_eq(por.rsc, 0x00);
	/* a malformed transfer (flags 04) is refused and changes nothing */
	memcpy(s, "\x00\xa4\x00\x0c\x02\xff\x05\x00\xd6\x00\x00\x42\x04\x10", 14);
	defaults(&o, 0, 3);
	ck_assert_uint_eq(send_ota(&f, &o, s, 14 + 64, 0), 0x9000);
	ck_assert_int_eq(parse_por(&f, &o, &por), 0);
	ck_assert_uint_eq((unsigned)por.data[1] << 8 | por.data[2], UICC_M2M_SW_INVALID);
	ck_assert_uint_eq(authenticate(&f, 0, 0x40), 0x9000);
	teardown_card(&f);
}
END_TEST

/* A store whose commit() fails at call N, as a power cut at that write:
 * the card rolls back to the last committed state, which must be either
 * the state before the switch or (after the last commit) the switched one,
 * with only the counter in between. */
struct cut_store {
	int calls, fail_at;
	char *last;		/* last committed image */
};

static int cut_commit(void *ctx, struct uicc *card)
{
	struct cut_store *c = ctx;
	json_t *j;

	if (++c->calls == c->fail_at)
		return UICC_EIO;
	j = uicc_to_json(card);
	free(c->last);
	c->last = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(j);
	return 0;
}

static const struct uicc_store_ops cut_ops = { .commit = cut_commit };

START_TEST(power_cut_during_switch)
{
	int at, commits = 0;
	char *ref_before = NULL, *ref_after = NULL;

	for (at = 1;; at++) {
		struct fx f;
		struct cut_store cs = { 0, at, NULL };
		struct pkt_opts o;
		uint8_t s[64];
		size_t n = switch_script(IMSI2, 1, s);
		char *start;

		setup_card(&f);
		start = image(&f);
		if (ref_before == NULL)
			ref_before = strdup(start);
		uicc_set_store(f.card, &cut_ops, &cs);
		defaults(&o, 0, 1);
		send_ota(&f, &o, s, n, 0);
		if (cs.calls < at) {
			/* no cut happened: this is the complete run */
			commits = cs.calls;
			ck_assert_ptr_nonnull(cs.last);
			ref_after = strdup(cs.last);
			free(cs.last);
			free(start);
			teardown_card(&f);
			break;
		}
		/* after the cut the card equals its last committed state */
		{
			char *now = image(&f);

			ck_assert_str_eq(now, cs.last ? cs.last : start);
			free(now);
		}
		free(cs.last);
		free(start);
		teardown_card(&f);
		ck_assert_int_lt(at, 50);
	}
	/* the counter is committed before the script, the switch after it */
	ck_assert_int_ge(commits, 2);
	ck_assert_str_ne(ref_before, ref_after);
	free(ref_before);
	free(ref_after);
}
END_TEST

/* T=0: the ENVELOPE answers 61 XX, GET RESPONSE returns the PoR and ends
 * with 91 0B (REFRESH pending) instead of 90 00. */
START_TEST(switch_t0)
{
	struct fx f;
	struct pkt_opts o;
	struct ota_por por;
	uint8_t s[64], get[5] = { 0x80, 0xc0, 0x00, 0x00, 0x00 };
	size_t n = switch_script(IMSI2, 1, s);

	setup_card(&f);
	uicc_set_transport(f.card, UICC_TRANSPORT_T0);
	defaults(&o, 0, 1);
	ck_assert_uint_eq(send_ota(&f, &o, s, n, 0) & 0xff00, 0x6100);
	get[4] = (uint8_t)f.sw;
	ck_assert_uint_eq(xmit(&f, get, 5), 0x910b);
	ck_assert_int_eq(parse_por(&f, &o, &por), 0);
	ck_assert_uint_eq(por.rsc, 0x00);
	ck_assert_int_eq(por.authenticated, 1);
	ck_assert_uint_eq(xhex(&f, "801200000B"), 0x9000);
	ck_assert_uint_eq(f.r[6], 0x04);	/* REFRESH, UICC reset */
	teardown_card(&f);
}
END_TEST

/* SPI2 asks for the PoR by SMS-SUBMIT: the ENVELOPE answers 91 XX, FETCH
 * gives SEND SHORT MESSAGE to the sender with the PoR, then REFRESH. */
START_TEST(por_by_sms_submit)
{
	struct fx f;
	struct pkt_opts o;
	struct ota_por por;
	struct ota_sms_submit sub;
	struct ota_cmd_hdr h;
	struct ota_keys k;
	uint8_t s[64], work[512], fetch[5] = { 0x80, 0x12, 0x00, 0x00, 0x00 };
	const uint8_t *ud;
	size_t n = switch_script(IMSI2, 1, s), udl;
	char imsi[16];

	setup_card(&f);
	defaults(&o, 0, 1);
	o.spi[1] = 0x39;	/* PoR always, CC, ciphered, by SMS-SUBMIT */
	ck_assert_uint_eq(send_ota(&f, &o, s, n, 0) & 0xff00, 0x9100);
	ck_assert_uint_eq(f.rlen, 2);
	fetch[4] = (uint8_t)f.sw;
	ck_assert_uint_eq(xmit(&f, fetch, 5), 0x9000);
	ck_assert_uint_eq(f.r[5], 0x13);	/* command type SEND SHORT MESSAGE */
	ck_assert_int_eq(ota_cat_send_sms_por(f.r, f.rlen - 2, &sub, &ud, &udl), 0);
	ck_assert_str_eq(sub.da.digits, "12345");	/* back to the sender */
	h = hdr_of(&f, &o);
	keys_of(&f.ks[0], &k);
	ck_assert_int_eq(ota_por_parse(ud, udl, &h, &k, work, sizeof(work), &por), 0);
	ck_assert_uint_eq(por.rsc, 0x00);
	ck_assert_int_eq(por.authenticated, 1);
	/* TERMINAL RESPONSE (SMS sent): REFRESH is next */
	ck_assert_uint_eq(xhex(&f, "801400000C 810301130082028281830100"), 0x910b);
	ck_assert_uint_eq(xhex(&f, "801200000B"), 0x9000);
	ck_assert_uint_eq(f.r[5], 0x01);
	power_up(&f);
	read_imsi(&f, imsi);
	ck_assert_str_eq(imsi, IMSI2);
	teardown_card(&f);
}
END_TEST

/* TS 102 223 §6.6.13 REFRESH: the modes and their file lists */
START_TEST(refresh_modes)
{
	static const uint8_t imsi_path[] = { 0x3f, 0x00, 0x7f, 0xff, 0x6f, 0x07 };
	static const uint8_t want[] = { 0xd0, 0x12, 0x81, 0x03, 0x01, 0x01, 0x02, 0x82, 0x02,
					0x81, 0x82, 0x92, 0x07, 0x01, 0x3f, 0x00, 0x7f, 0xff,
					0x6f, 0x07 };
	struct uicc_cat c;
	uint8_t out[255];
	size_t plen = sizeof(imsi_path);
	uint8_t q;

	uicc_cat_reset(&c);
	ck_assert_int_eq(uicc_cat_queue_refresh_files(&c, UICC_REFRESH_NAA_INIT_FCN, imsi_path,
						      &plen, 1), 0);
	ck_assert_uint_eq(uicc_cat_pending(&c), sizeof(want));
	ck_assert_uint_eq(uicc_cat_fetch(&c, out, sizeof(out)), sizeof(want));
	ck_assert_mem_eq(out, want, sizeof(want));
	/* FCN modes need a list, the others take none; paths start at 3F00 */
	ck_assert_int_eq(uicc_cat_queue_refresh(&c, UICC_REFRESH_FCN), -1);
	ck_assert_int_eq(uicc_cat_queue_refresh_files(&c, UICC_REFRESH_UICC_RESET, imsi_path,
						      &plen, 1), -1);
	ck_assert_int_eq(uicc_cat_queue_refresh_files(&c, UICC_REFRESH_FCN, imsi_path + 2,
						      (const size_t[]){ 4 }, 1), -1);
	for (q = 0; q <= 6; q++)
		if (q != UICC_REFRESH_FCN && q != UICC_REFRESH_NAA_INIT_FCN) {
			int want_rc = c.n < UICC_CAT_QUEUE ? 0 : -1;

			ck_assert_int_eq(uicc_cat_queue_refresh(&c, q), want_rc);
		}
	ck_assert_int_eq(uicc_cat_queue_refresh(&c, 0x07), -1);
	/* TERMINAL RESPONSE must name the fetched command */
	ck_assert_uint_eq(uicc_cat_terminal_response(&c, (const uint8_t *)"\x81\x03\x09\x01\x02", 5),
			  0x6a80);
	ck_assert_uint_eq(uicc_cat_terminal_response(&c, (const uint8_t *)"\x81\x03\x01\x01\x02", 5),
			  0x9000);
	ck_assert_uint_eq(uicc_cat_terminal_response(&c, (const uint8_t *)"\x81\x03\x01\x01\x02", 5),
			  0x6f00);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("m2m");
	TCase *tc = tcase_create("switch");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, switch_end_to_end);
	tcase_add_test(tc, fallback_after_sessions);
	tcase_add_test(tc, negative_matrix);
	tcase_add_test(tc, replay_and_exhaustion);
	tcase_add_test(tc, concatenated_switch);
	tcase_add_test(tc, power_cut_during_switch);
	tcase_add_test(tc, rekey_alternative_3a);
	tcase_add_test(tc, refresh_modes);
	tcase_add_test(tc, imsi_only_refresh);
	tcase_add_test(tc, por_by_sms_submit);
	tcase_add_test(tc, switch_t0);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
