/*
 * test_term.c - uicc-term's engine (tools/term.h) against the in-process
 * card (an image file, saved as the card saves it): power-up and attach,
 * PIN handling, AUTS resynchronisation (network SQN behind the card), a
 * wrong key and an unknown IMSI refused, an OTA switch (PoR verified with
 * the sender's keys, REFRESH, re-attach with the new IMSI and key set, the
 * old subscriber refused), the PoR by SEND SHORT MESSAGE, the T=0 path,
 * the fallback after three sessions; the message and PoR file parsers
 * with malformed rows.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/crypto.h>

#include "common/hex.h"
#include "tests/otatest.h"
#include "tools/term.h"
#include "uicckit/envelope.h"
#include "uicckit/image.h"
#include "uicckit/keyset.h"
#include "uicckit/m2m_script.h"
#include "uicckit/por.h"
#include "uicckit/sms.h"

#define ICCID "89882390000000000019"
#define IMSI1 "001010000000001"
#define IMSI2 "001020000000002"

struct fx {
	char dir[64], path[128], por[128];
	struct uicc_keyset ks[4];
	json_t *events;
	struct term_link link;
	struct term_net net;
	struct term_opts o;
	struct term *t;
};

static void on_event(void *arg, json_t *ev)
{
	struct fx *f = arg;

	json_array_append(f->events, ev);
}

static void fx_card(struct fx *f)
{
	struct uicc_perso p;
	struct uicc_image_store st;
	struct uicc *card;
	int i;

	memset(f, 0, sizeof(*f));
	strcpy(f->dir, "/tmp/test_term-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/card.json", f->dir);
	snprintf(f->por, sizeof(f->por), "%s/por.csv", f->dir);
	memset(&p, 0, sizeof(p));
	strcpy(p.iccid, ICCID);
	strcpy(p.imsi, IMSI1);
	card = ot_perso_card(&p, 4);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(uicc_keyset_get(card, (unsigned)i, &f->ks[i]), 0);
	memset(&st, 0, sizeof(st));
	st.path = f->path;
	ck_assert_int_eq(uicc_image_save(&st, card), 0);
	uicc_free(card);
	uicc_perso_cleanse(&p);
	f->events = json_array();
	f->o.pin1 = "1234";
	f->o.sessions = 1;
	f->o.por_out = f->por;
}

static void fx_free(struct fx *f)
{
	int i;

	term_free(f->t);
	term_link_close(&f->link);
	term_net_free(&f->net);
	json_decref(f->events);
	for (i = 0; i < 4; i++)
		uicc_keyset_cleanse(&f->ks[i]);
	unlink(f->path);
	unlink(f->por);
	rmdir(f->dir);
}

static void auth_of(const struct uicc_keyset *ks, struct auth_keyset *ak)
{
	memset(ak, 0, sizeof(*ak));
	ak->alg = AUTH_ALG_MILENAGE;
	ak->k_len = 16;
	memcpy(ak->k, ks->k, 16);
	ak->op_len = 16;
	ak->op_is_opc = 1;
	memcpy(ak->op, ks->opc, 16);
}

/* A network: subscriber imsi with key set idx's K/OPc at SQN_HE sqn. */
static void net_add(struct fx *f, const char *imsi, int idx, uint64_t sqn)
{
	static const uint8_t amf[2] = { 0x80, 0x00 };
	struct auth_keyset ak;
	char err[128];

	if (f->net.ops == NULL)
		ck_assert_int_eq(term_net_params_new(&f->net, err, sizeof(err)), 0);
	auth_of(&f->ks[idx], &ak);
	ck_assert_msg(term_net_params_add(&f->net, imsi, &ak, sqn, amf, err, sizeof(err)) == 0,
		      "%s", err);
}

/* Open the card link and the terminal (net may be unset: no attach). */
static void fx_term(struct fx *f, int t0)
{
	char err[256];

	term_free(f->t);
	term_link_close(&f->link);
	ck_assert_msg(term_link_image_open(f->path, t0, &f->link, err, sizeof(err)) == 0, "%s",
		      err);
	f->t = term_new(&f->link, f->net.ops ? &f->net : NULL, &f->o, on_event, f);
	ck_assert_ptr_nonnull(f->t);
	json_array_clear(f->events);
}

/* The n-th (0 = first, -1 = last) event called name; NULL if none. */
static json_t *find_ev(const struct fx *f, const char *name, int n)
{
	size_t i, cnt = json_array_size(f->events);
	json_t *last = NULL;

	for (i = 0; i < cnt; i++) {
		json_t *e = json_array_get(f->events, i);

		if (strcmp(json_string_value(json_object_get(e, "event")), name) != 0)
			continue;
		if (n == 0)
			return e;
		if (n > 0)
			n--;
		last = e;
	}
	return n < 0 ? last : NULL;
}

static const char *ev_s(const json_t *e, const char *field)
{
	const char *s = json_string_value(json_object_get(e, field));

	return s != NULL ? s : "";
}

static unsigned count_ev(const struct fx *f, const char *name, const char *field,
			 const char *value)
{
	size_t i;
	unsigned n = 0;

	for (i = 0; i < json_array_size(f->events); i++) {
		json_t *e = json_array_get(f->events, i);

		if (strcmp(ev_s(e, "event"), name) == 0 &&
		    (field == NULL || strcmp(ev_s(e, field), value) == 0))
			n++;
	}
	return n;
}

/* The Alternative 3b switch to IMSI2 / key set 1 as an SMS-DELIVER TPDU
 * under key set 0's OTA keys, like tests/otatest.c builds it. */
static void switch_msg(struct fx *f, int idx, uint64_t cntr, uint8_t spi2, const char *imsi,
		       struct term_msg *m, struct term_seg *seg, struct ota_cmd_hdr *h)
{
	const struct uicc_keyset *ks = &f->ks[idx];
	uint8_t script[64], env[OTA_ENV_APDU_MAX];
	struct ota_keys k;
	size_t sl = 0, el;

	ck_assert_int_eq(ota_m2m_switch_script(imsi, 1, OTA_RFM_COMPACT, script, sizeof(script),
					       &sl), 0);
	memset(h, 0, sizeof(*h));
	h->spi[0] = 0x16;
	h->spi[1] = spi2;
	h->kic = (uint8_t)(ks->kvn << 4 | ks->kic_alg);
	h->kid = (uint8_t)(ks->kvn << 4 | ks->kid_alg);
	memcpy(h->tar, ks->tar, 3);
	h->cntr = cntr;
	memset(&k, 0, sizeof(k));
	memcpy(k.kic_key, ks->kic, ks->kic_len);
	k.kic_key_len = ks->kic_len;
	memcpy(k.kid_key, ks->kid, ks->kid_len);
	k.kid_key_len = ks->kid_len;
	el = ot_envelope(h, &k, script, sl, env, sizeof(env));
	memset(m, 0, sizeof(*m));
	strcpy(m->iccid, ICCID);
	m->line = 2;
	m->n_seg = 1;
	m->seg = seg;
	seg->bytes = malloc(el);
	ck_assert_ptr_nonnull(seg->bytes);
	memcpy(seg->bytes, env, el);
	seg->len = el;
	seg->is_envelope = 1;
	OPENSSL_cleanse(&k, sizeof(k));
}

static void keys_of(const struct uicc_keyset *ks, struct ota_keys *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->kic_key, ks->kic, ks->kic_len);
	k->kic_key_len = ks->kic_len;
	memcpy(k->kid_key, ks->kid, ks->kid_len);
	k->kid_key_len = ks->kid_len;
}

/* ------------------------------------------------------------------ */

START_TEST(power_up_and_attach)
{
	struct fx f;
	struct term_stats st;
	json_t *e;

	fx_card(&f);
	net_add(&f, IMSI1, 0, 0);
	fx_term(&f, _i);
	ck_assert_int_eq(term_run(f.t, NULL), 1);
	ck_assert_str_eq(term_iccid(f.t), ICCID);
	ck_assert_str_eq(term_imsi(f.t), IMSI1);
	e = find_ev(&f, "power-up", 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(ev_s(e, "reset"), "cold");
	ck_assert_uint_gt(strlen(ev_s(e, "atr")), 4);
	ck_assert_str_eq(ev_s(find_ev(&f, "usim", 0), "aid"), "a0000000871002ffffffff8907090000");
	ck_assert_str_eq(ev_s(find_ev(&f, "terminal-profile", 0), "sw"), "9000");
	ck_assert_str_eq(ev_s(find_ev(&f, "status", 0), "sw"), "9000");
	ck_assert_str_eq(ev_s(find_ev(&f, "pin", 0), "outcome"), "verified");
	ck_assert_str_eq(ev_s(find_ev(&f, "imsi", 0), "mcc"), "001");
	ck_assert_str_eq(ev_s(find_ev(&f, "imsi", 0), "mnc"), "01");
	e = find_ev(&f, "files", 0);
	ck_assert_str_eq(ev_s(e, "ad"), "00000002");
	ck_assert_uint_eq(json_array_size(json_object_get(e, "services")) > 0, 1);
	ck_assert_uint_eq(strlen(ev_s(e, "loci")), 22);
	e = find_ev(&f, "attach", 0);
	ck_assert_str_eq(ev_s(e, "outcome"), "ok");
	ck_assert_str_eq(ev_s(e, "imsi"), IMSI1);
	ck_assert(!json_is_true(json_object_get(e, "resync")));
	term_get_stats(f.t, &st);
	ck_assert_uint_eq(st.attaches_ok, 1);
	ck_assert_uint_eq(st.resyncs, 0);
	/* SQN_HE moved to the next SEQ (IND 0) */
	ck_assert_int_eq(term_net_params_sqn(&f.net, IMSI1), 0x20);
	/* three sessions: SQN_HE moves every time, no resync */
	f.o.sessions = 3;
	fx_term(&f, _i);
	ck_assert_int_eq(term_run(f.t, NULL), 1);
	ck_assert_uint_eq(count_ev(&f, "attach", "outcome", "ok"), 3);
	ck_assert_uint_eq(count_ev(&f, "resync", NULL, NULL), 0);
	ck_assert_int_eq(term_net_params_sqn(&f.net, IMSI1), 0x80);
	fx_free(&f);
}
END_TEST

START_TEST(pin_handling)
{
	struct fx f;

	fx_card(&f);
	net_add(&f, IMSI1, 0, 0);
	f.o.pin1 = NULL;
	fx_term(&f, 0);
	ck_assert_int_eq(term_run(f.t, NULL), 0);
	ck_assert_str_eq(ev_s(find_ev(&f, "pin", 0), "outcome"), "required");
	ck_assert_str_eq(ev_s(find_ev(&f, "attach", 0), "outcome"), "failed");
	ck_assert_str_eq(ev_s(find_ev(&f, "attach", 0), "reason"), "power-up failed");
	f.o.pin1 = "9999";
	fx_term(&f, 0);
	ck_assert_int_eq(term_run(f.t, NULL), 0);
	ck_assert_str_eq(ev_s(find_ev(&f, "pin", 0), "outcome"), "wrong");
	ck_assert_str_eq(ev_s(find_ev(&f, "pin", 0), "sw"), "63C2");
	f.o.pin1 = "1234";
	fx_term(&f, 0);
	ck_assert_int_eq(term_run(f.t, NULL), 1);
	fx_free(&f);
}
END_TEST

START_TEST(auts_resync)
{
	struct fx f;
	struct term_stats st;
	json_t *e;

	fx_card(&f);
	/* the card accepts SQN 0x100 */
	net_add(&f, IMSI1, 0, 0xe0);
	fx_term(&f, 0);
	ck_assert_int_eq(term_run(f.t, NULL), 1);
	term_net_free(&f.net);
	/* a network whose SQN_HE is behind the card: AUTS, resync, retry */
	net_add(&f, IMSI1, 0, 0x00);
	fx_term(&f, 0);
	ck_assert_int_eq(term_run(f.t, NULL), 1);
	e = find_ev(&f, "resync", 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(ev_s(e, "outcome"), "ok");
	ck_assert_uint_eq(strlen(ev_s(e, "auts")), 28);
	e = find_ev(&f, "attach", 0);
	ck_assert_str_eq(ev_s(e, "outcome"), "ok");
	ck_assert(json_is_true(json_object_get(e, "resync")));
	term_get_stats(f.t, &st);
	ck_assert_uint_eq(st.resyncs, 1);
	/* SQN_MS 0x100 recovered from AUTS, then the next SEQ */
	ck_assert_int_eq(term_net_params_sqn(&f.net, IMSI1), 0x120);
	fx_free(&f);
}
END_TEST

START_TEST(wrong_key_and_unknown_imsi)
{
	struct fx f;
	json_t *e;

	fx_card(&f);
	net_add(&f, IMSI1, 2, 0);	/* key set 2 is not the card's active set */
	fx_term(&f, 0);
	ck_assert_int_eq(term_run(f.t, NULL), 0);
	e = find_ev(&f, "attach", 0);
	ck_assert_str_eq(ev_s(e, "outcome"), "failed");
	ck_assert_str_eq(ev_s(e, "sw"), "9862");
	ck_assert_ptr_nonnull(strstr(ev_s(e, "reason"), "MAC failure"));
	term_net_free(&f.net);
	net_add(&f, IMSI2, 0, 0);	/* the network knows another IMSI only */
	fx_term(&f, 0);
	ck_assert_int_eq(term_run(f.t, NULL), 0);
	e = find_ev(&f, "attach", 0);
	ck_assert_str_eq(ev_s(e, "reason"), "IMSI unknown");
	ck_assert_str_eq(ev_s(e, "imsi"), IMSI1);
	term_net_free(&f.net);
	/* no network: no attach, the power-up alone decides */
	fx_term(&f, 0);
	ck_assert_int_eq(term_run(f.t, NULL), 1);
	ck_assert_str_eq(ev_s(find_ev(&f, "attach", 0), "outcome"), "skipped");
	fx_free(&f);
}
END_TEST

/* The switch end to end; _i: 0 direct, 1 T=0; PoR in the ENVELOPE answer. */
START_TEST(switch_refresh_reattach)
{
	struct fx f;
	struct term_msgs msgs;
	struct term_msg m;
	struct term_seg seg;
	struct ota_cmd_hdr h;
	struct ota_keys k;
	struct ota_por por;
	struct term_stats st;
	uint8_t work[600], pb[300];
	const uint8_t *p;
	size_t plen, pn = 0;
	char text[2048], err[200], *row;
	FILE *pf;
	size_t tl;
	json_t *e;

	fx_card(&f);
	net_add(&f, IMSI1, 0, 0);
	net_add(&f, IMSI2, 1, 0);
	switch_msg(&f, 0, 1, 0x19, IMSI2, &m, &seg, &h);
	msgs.csv = 1;
	msgs.n = 1;
	msgs.msg = &m;
	fx_term(&f, _i);
	ck_assert_int_eq(term_run(f.t, &msgs), 1);
	/* attach at A, the SMS, the PoR, REFRESH, the new IMSI attaches */
	ck_assert_str_eq(ev_s(find_ev(&f, "attach", 0), "imsi"), IMSI1);
	ck_assert_str_eq(ev_s(find_ev(&f, "attach", 0), "outcome"), "ok");
	e = find_ev(&f, "sms", 0);
	ck_assert_str_eq(ev_s(e, "sw"), "910B");
	ck_assert_str_eq(ev_s(e, "tar"), "b00001");
	e = find_ev(&f, "por", 0);
	ck_assert_str_eq(ev_s(e, "via"), "envelope");
	ck_assert(json_is_true(json_object_get(e, "protected")));
	e = find_ev(&f, "refresh", 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "qualifier")), 4);
	ck_assert_str_eq(ev_s(find_ev(&f, "power-up", 1), "reset"), "warm");
	e = find_ev(&f, "attach", 1);
	ck_assert_str_eq(ev_s(e, "imsi"), IMSI2);
	ck_assert_str_eq(ev_s(e, "outcome"), "ok");
	ck_assert_str_eq(ev_s(e, "trigger"), "refresh");
	ck_assert_str_eq(term_imsi(f.t), IMSI2);
	term_get_stats(f.t, &st);
	ck_assert_uint_eq(st.refreshes, 1);
	ck_assert_uint_eq(st.pors, 1);
	/* the PoR verifies with the sender's keys: RSC 00, CC verified */
	p = term_last_por(f.t, &plen);
	keys_of(&f.ks[0], &k);
	ck_assert_int_eq(ota_por_parse(p, plen, &h, &k, work, sizeof(work), &por), 0);
	ck_assert_uint_eq(por.rsc, OTA_RSC_OK);
	ck_assert(por.authenticated);
	/* and the PoR file holds it: header + one row */
	pf = fopen(f.por, "r");
	ck_assert_ptr_nonnull(pf);
	tl = fread(text, 1, sizeof(text) - 1, pf);
	fclose(pf);
	text[tl] = '\0';
	ck_assert_int_eq(strncmp(text, "iccid,por\n" ICCID ",", 31), 0);
	ck_assert_int_eq(term_porfile_check(text, tl, err, sizeof(err)), 1);
	row = strchr(text + 10, ',') + 1;
	row[strcspn(row, "\n")] = '\0';
	ck_assert_int_eq(uk_hex_decode(row, pb, sizeof(pb), &pn), 0);
	ck_assert_uint_eq(pn, plen);
	ck_assert_mem_eq(pb, p, plen);
	ck_assert_int_eq(ota_por_parse(pb, pn, &h, &k, work, sizeof(work), &por), 0);
	ck_assert_uint_eq(por.rsc, OTA_RSC_OK);
	OPENSSL_cleanse(&k, sizeof(k));
	/* a new power-up: the new IMSI, key set 1 confirmed */
	fx_term(&f, _i);
	ck_assert_int_eq(term_run(f.t, NULL), 1);
	ck_assert_str_eq(ev_s(find_ev(&f, "attach", 0), "imsi"), IMSI2);
	ck_assert_str_eq(ev_s(json_object_get(find_ev(&f, "files", 0), "m2m"), "last_event"),
			 "confirmed");
	/* the old subscriber's key is refused for the new IMSI */
	term_net_free(&f.net);
	net_add(&f, IMSI2, 0, 0x200);
	fx_term(&f, _i);
	ck_assert_int_eq(term_run(f.t, NULL), 0);
	ck_assert_str_eq(ev_s(find_ev(&f, "attach", 0), "sw"), "9862");
	/* and the same switch again: A's OTA keys are refused (plain PoR 06) */
	term_net_free(&f.net);
	net_add(&f, IMSI2, 1, 0x200);
	fx_term(&f, _i);
	ck_assert_int_eq(term_run(f.t, &msgs), 1);
	e = find_ev(&f, "por", 0);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "rsc")), OTA_RSC_SECURITY_ERROR);
	ck_assert(!json_is_true(json_object_get(e, "protected")));
	ck_assert_ptr_null(find_ev(&f, "refresh", 0));
	free(seg.bytes);
	fx_free(&f);
}
END_TEST

/* SPI2 b6: the PoR comes as SEND SHORT MESSAGE (SMS-SUBMIT), answered with
 * TERMINAL RESPONSE, before the REFRESH. */
START_TEST(por_by_send_sms)
{
	struct fx f;
	struct term_msgs msgs;
	struct term_msg m;
	struct term_seg seg;
	struct ota_cmd_hdr h;
	struct ota_keys k;
	struct ota_por por;
	uint8_t work[600];
	const uint8_t *p;
	size_t plen;
	json_t *e;

	fx_card(&f);
	net_add(&f, IMSI1, 0, 0);
	net_add(&f, IMSI2, 1, 0);
	switch_msg(&f, 0, 1, 0x39, IMSI2, &m, &seg, &h);
	msgs.csv = 1;
	msgs.n = 1;
	msgs.msg = &m;
	f.o.refresh_cold = 1;	/* the REFRESH by power cycle: same session */
	fx_term(&f, 0);
	ck_assert_int_eq(term_run(f.t, &msgs), 1);
	e = find_ev(&f, "proactive", 0);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "type")), 0x13);
	ck_assert_str_eq(ev_s(find_ev(&f, "por", 0), "via"), "send-sms");
	e = find_ev(&f, "terminal-response", 0);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "result")), 0);
	ck_assert_str_eq(ev_s(e, "sw"), "910B");	/* the REFRESH follows */
	ck_assert_ptr_nonnull(find_ev(&f, "refresh", 0));
	e = find_ev(&f, "power-up", 1);
	ck_assert_str_eq(ev_s(e, "reset"), "cold");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "session")), 1);
	ck_assert_str_eq(term_imsi(f.t), IMSI2);
	p = term_last_por(f.t, &plen);
	keys_of(&f.ks[0], &k);
	ck_assert_int_eq(ota_por_parse(p, plen, &h, &k, work, sizeof(work), &por), 0);
	ck_assert_uint_eq(por.rsc, OTA_RSC_OK);
	OPENSSL_cleanse(&k, sizeof(k));
	free(seg.bytes);
	fx_free(&f);
}
END_TEST

/* The new subscriber unknown to the network: after three sessions without
 * a verified AUTHENTICATE the card is back at IMSI1 and attaches at A. */
START_TEST(fallback_after_three_sessions)
{
	struct fx f;
	struct term_msgs msgs;
	struct term_msg m;
	struct term_seg seg;
	struct ota_cmd_hdr h;
	struct term_stats st;
	json_t *e;

	fx_card(&f);
	net_add(&f, IMSI1, 0, 0);
	switch_msg(&f, 0, 1, 0x19, IMSI2, &m, &seg, &h);
	msgs.csv = 1;
	msgs.n = 1;
	msgs.msg = &m;
	f.o.sessions = 4;
	fx_term(&f, 0);
	ck_assert_int_eq(term_run(f.t, &msgs), 1);
	/* session 1: A ok, switch, REFRESH, B unknown; 2, 3: B unknown; 4: A */
	ck_assert_uint_eq(count_ev(&f, "attach", "reason", "IMSI unknown"), 3);
	ck_assert_uint_eq(count_ev(&f, "attach", "outcome", "ok"), 2);
	e = find_ev(&f, "attach", -1);
	ck_assert_str_eq(ev_s(e, "imsi"), IMSI1);
	ck_assert_str_eq(ev_s(e, "outcome"), "ok");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "session")), 4);
	ck_assert_str_eq(ev_s(json_object_get(find_ev(&f, "files", -1), "m2m"), "last_event"),
			 "reverted");
	term_get_stats(f.t, &st);
	ck_assert_uint_eq(st.attaches_failed, 3);
	free(seg.bytes);
	fx_free(&f);
}
END_TEST


/* ------------------------------------------------------------------ */
/* A link around the image link: a proactive command the card did not
 * send (DISPLAY TEXT after TERMINAL PROFILE), and a link that dies. */

struct wrap {
	struct term_link inner;
	int pending, tr_result, apdus, fail_after;
	const uint8_t *cmd;	/* the proactive command to inject (number 07) */
	size_t cmd_len;
};

static const uint8_t display_text[] = { 0xd0, 0x09, 0x81, 0x03, 0x07, 0x21, 0x80, 0x82, 0x02,
					0x81, 0x02 };
static const uint8_t refresh_naa_init[] = { 0xd0, 0x09, 0x81, 0x03, 0x07, 0x01, 0x03, 0x82,
					    0x02, 0x81, 0x82 };

static int w_power(void *ctx, enum term_power how, uint8_t *atr, size_t cap, size_t *atr_len,
		   char *err, size_t errlen)
{
	struct wrap *w = ctx;

	return w->inner.ops->power(w->inner.ctx, how, atr, cap, atr_len, err, errlen);
}

static int w_transmit(void *ctx, const uint8_t *c, size_t n, uint8_t *r, size_t cap,
		      size_t *rlen, char *err, size_t errlen)
{
	struct wrap *w = ctx;
	int rc;

	if (w->fail_after > 0 && ++w->apdus > w->fail_after) {
		snprintf(err, errlen, "reader gone");
		return TERM_ELINK;
	}
	if (w->pending && n == 5 && c[1] == 0x12) {
		memcpy(r, w->cmd, w->cmd_len);
		r[w->cmd_len] = 0x90;
		r[w->cmd_len + 1] = 0x00;
		*rlen = w->cmd_len + 2;
		return 0;
	}
	if (w->pending && n > 5 && c[1] == 0x14 && c[7] == 0x07) {
		w->pending = 0;
		w->tr_result = c[n - 1];
		r[0] = 0x90;
		r[1] = 0x00;
		*rlen = 2;
		return 0;
	}
	rc = w->inner.ops->transmit(w->inner.ctx, c, n, r, cap, rlen, err, errlen);
	if (rc == 0 && c[1] == 0x10 && r[*rlen - 2] == 0x90 && w->tr_result < 0) {
		w->pending = 1;
		r[*rlen - 2] = 0x91;
		r[*rlen - 1] = (uint8_t)w->cmd_len;
	}
	return rc;
}

static void w_close(void *ctx)
{
	(void)ctx;
}

static const struct term_link_ops wrap_ops = {
	.kind = "test", .power = w_power, .transmit = w_transmit, .close = w_close,
};

START_TEST(proactive_any_time_and_link_failure)
{
	struct fx f;
	struct wrap w;
	struct term_link wl = { &wrap_ops, &w };
	json_t *e;

	fx_card(&f);
	net_add(&f, IMSI1, 0, 0);
	fx_term(&f, 0);
	memset(&w, 0, sizeof(w));
	w.inner = f.link;
	w.tr_result = -1;
	w.cmd = display_text;
	w.cmd_len = sizeof(display_text);
	term_free(f.t);
	f.t = term_new(&wl, &f.net, &f.o, on_event, &f);
	ck_assert_int_eq(term_run(f.t, NULL), 1);
	e = find_ev(&f, "proactive", 0);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "type")), 0x21);
	ck_assert_str_eq(ev_s(e, "name"), "DISPLAY TEXT");
	/* answered "beyond terminal's capabilities", and the power-up went on */
	ck_assert_int_eq(w.tr_result, 0x30);
	ck_assert_str_eq(ev_s(find_ev(&f, "attach", 0), "outcome"), "ok");
	/* REFRESH NAA initialisation during the power-up: TERMINAL RESPONSE
	 * 00, the USIM initialised again, a second attach */
	json_array_clear(f.events);
	memset(&w, 0, sizeof(w));
	w.inner = f.link;
	w.tr_result = -1;
	w.cmd = refresh_naa_init;
	w.cmd_len = sizeof(refresh_naa_init);
	term_free(f.t);
	f.t = term_new(&wl, &f.net, &f.o, on_event, &f);
	ck_assert_int_eq(term_run(f.t, NULL), 1);
	ck_assert_int_eq(w.tr_result, 0x00);
	e = find_ev(&f, "refresh", 0);
	ck_assert_str_eq(ev_s(e, "mode"), "NAA initialisation");
	ck_assert_uint_eq(count_ev(&f, "attach", "outcome", "ok"), 2);
	ck_assert_str_eq(ev_s(find_ev(&f, "attach", 1), "trigger"), "refresh");
	ck_assert_uint_eq(count_ev(&f, "power-up", NULL, NULL), 1);
	ck_assert_uint_eq(count_ev(&f, "imsi", NULL, NULL), 2);
	/* the reader goes away in the middle of the power-up */
	json_array_clear(f.events);
	memset(&w, 0, sizeof(w));
	w.inner = f.link;
	w.tr_result = 0;
	w.fail_after = 6;
	term_free(f.t);
	f.t = term_new(&wl, &f.net, &f.o, on_event, &f);
	ck_assert_int_eq(term_run(f.t, NULL), TERM_ELINK);
	ck_assert_str_eq(term_error(f.t), "reader gone");
	ck_assert_ptr_null(find_ev(&f, "attach", 0));
	fx_free(&f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Files                                                               */

static const char *tpdu_hex = "4405912143f57ff6000000000000003d02700000381516191212b00001be90db"
			      "8761165d76915359d017d6203c9b15f5c6d77d7d73d09f1a5f84e0cdeccf72f1"
			      "93d11ac790dbb8a57e332ab50f";

static int parse_str(const char *text, struct term_msgs *m, char *err, size_t errlen)
{
	return term_msgs_parse(text, strlen(text), m, err, errlen);
}

START_TEST(msgfile_good)
{
	struct term_msgs m;
	char text[2048], env[700], err[200];
	uint8_t tp[200], e[300];
	size_t n = 0, el = 0;

	ck_assert_int_eq(uk_hex_decode(tpdu_hex, tp, sizeof(tp), &n), 0);
	ck_assert_int_eq(ota_env_sms_pp_build(tp, n, NULL, 0, e, sizeof(e), &el), 0);
	uk_hex_encode(e, el, env);
	/* CSV, tpdu column, two cards, one of them with two segments */
	snprintf(text, sizeof(text),
		 "iccid,imsi,cntr,tpdu\r\n" ICCID ",001010000000001,0000000001,%s\r\n"
		 "89882390000000000027,001010000000002,0000000002,\"%s %s\"\r\n",
		 tpdu_hex, tpdu_hex, tpdu_hex);
	ck_assert_msg(parse_str(text, &m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(m.csv, 1);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_str_eq(m.msg[0].iccid, ICCID);
	ck_assert_str_eq(m.msg[0].cntr, "0000000001");
	ck_assert_uint_eq(m.msg[0].n_seg, 1);
	ck_assert_uint_eq(m.msg[0].seg[0].len, n);
	ck_assert_int_eq(m.msg[0].seg[0].is_envelope, 0);
	ck_assert_uint_eq(m.msg[1].n_seg, 2);
	ck_assert_uint_eq(m.msg[1].line, 3);
	ck_assert(term_msg_for(&m.msg[0], ICCID));
	ck_assert(!term_msg_for(&m.msg[1], ICCID));
	term_msgs_free(&m);
	/* envelope column, columns in another order */
	snprintf(text, sizeof(text), "iccid,envelope,imsi,cntr\n" ICCID ",%s,,\n", env);
	ck_assert_msg(parse_str(text, &m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(m.msg[0].seg[0].is_envelope, 1);
	ck_assert_str_eq(m.msg[0].imsi, "");
	term_msgs_free(&m);
	/* plain: what `uicc-ota packet build --out tpdu|envelope` prints */
	snprintf(text, sizeof(text), "# switch\n%s\n\n  %s  \r\n", tpdu_hex, env);
	ck_assert_msg(parse_str(text, &m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(m.csv, 0);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_int_eq(m.msg[0].seg[0].is_envelope, 0);
	ck_assert_int_eq(m.msg[1].seg[0].is_envelope, 1);
	ck_assert_uint_eq(m.msg[1].line, 4);
	ck_assert(term_msg_for(&m.msg[0], "89882390000000000027"));
	term_msgs_free(&m);
	/* empty file: no messages */
	ck_assert_int_eq(parse_str("", &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m.n, 0);
	term_msgs_free(&m);
}
END_TEST

/* row with every @ replaced by the good TPDU */
static void subst(const char *tmpl, char *out, size_t cap)
{
	size_t o = 0;

	for (; *tmpl != '\0' && o + strlen(tpdu_hex) + 1 < cap; tmpl++) {
		if (*tmpl == '@') {
			memcpy(out + o, tpdu_hex, strlen(tpdu_hex));
			o += strlen(tpdu_hex);
		} else {
			out[o++] = *tmpl;
		}
	}
	out[o] = '\0';
}

START_TEST(msgfile_malformed)
{
	static const struct {
		const char *row;	/* @: a good TPDU */
		const char *why;
	} bad[] = {
		{ "123,001010000000001,0000000001,@", "iccid" },
		{ ICCID ",0010100000000011234,0000000001,@", "imsi" },
		{ ICCID ",001010000000001,00001,@", "cntr" },
		{ ICCID ",001010000000001,zz00000001,@", "cntr" },
		{ ICCID ",001010000000001,0000000001,@z", "segment" },
		{ ICCID ",001010000000001,0000000001,@0", "segment" },
		{ ICCID ",001010000000001,0000000001,", "no TPDU" },
		{ ICCID ",001010000000001,0000000001,\"@  @\"", "segment" },
		{ ICCID ",001010000000001,0000000001,00A4000C023F00", "SMS-DELIVER" },
		{ ICCID ",001010000000001,@", "fields" },
		{ ICCID ",001010000000001,0000000001,@,extra", "fields" },
		{ ICCID ",001010000000001,0000000001,\"@", "quote" },
	};
	struct term_msgs m;
	char text[2048], row[1024], err[200];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		subst(bad[i].row, row, sizeof(row));
		/* a good row first: the whole file is refused all the same */
		snprintf(text, sizeof(text), "iccid,imsi,cntr,tpdu\n" ICCID ",,,%s\n%s\n",
			 tpdu_hex, row);
		err[0] = '\0';
		ck_assert_msg(parse_str(text, &m, err, sizeof(err)) == TERM_MSG_EFORMAT,
			      "row %zu accepted", i);
		ck_assert_ptr_null(m.msg);
		ck_assert_msg(strstr(err, "line 3") != NULL, "row %zu: %s", i, err);
		ck_assert_msg(strstr(err, bad[i].why) != NULL, "row %zu: %s", i, err);
	}
	/* headers */
	ck_assert_int_eq(parse_str("iccid,imsi,cntr\n", &m, err, sizeof(err)), TERM_MSG_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err, "line 1"));
	ck_assert_int_eq(parse_str("iccid,tpdu,tpdu\n", &m, err, sizeof(err)), TERM_MSG_EFORMAT);
	ck_assert_int_eq(parse_str("iccid,imsi,cntr,sms\n", &m, err, sizeof(err)),
			 TERM_MSG_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err, "unknown column"));
	/* a row with more fields than a shorter header */
	subst("iccid,tpdu\n" ICCID ",@,0000000001\n", text, sizeof(text));
	ck_assert_int_eq(parse_str(text, &m, err, sizeof(err)), TERM_MSG_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err, "3 fields, the header has 2"));
	/* an envelope column holding a TPDU */
	snprintf(text, sizeof(text), "iccid,envelope\n" ICCID ",%s\n", tpdu_hex);
	ck_assert_int_eq(parse_str(text, &m, err, sizeof(err)), TERM_MSG_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err, "not an ENVELOPE"));
	/* plain file: a line that is neither */
	snprintf(text, sizeof(text), "%s\nhello\n", tpdu_hex);
	ck_assert_int_eq(parse_str(text, &m, err, sizeof(err)), TERM_MSG_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err, "line 2"));
	ck_assert_int_eq(parse_str("0102\n", &m, err, sizeof(err)), TERM_MSG_EFORMAT);
	/* NUL inside */
	ck_assert_int_eq(term_msgs_parse("01\0002", 4, &m, err, sizeof(err)), TERM_MSG_EFORMAT);
}
END_TEST

static long pc(const char *text)
{
	char err[200];

	return term_porfile_check(text, strlen(text), err, sizeof(err));
}

START_TEST(porfile)
{
	char dir[] = "/tmp/test_term_por-XXXXXX", path[64], err[200], text[512];
	static const uint8_t por[] = { 0x02, 0x71, 0x00, 0x00, 0x0b, 0x0a, 0xb0, 0x00, 0x01 };
	struct stat sb;
	FILE *f;
	size_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/por.csv", dir);
	ck_assert_int_eq(term_porfile_append(path, ICCID, por, sizeof(por), err, sizeof(err)), 0);
	ck_assert_int_eq(term_porfile_append(path, ICCID, por, 3, err, sizeof(err)), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	ck_assert_str_eq(text, "iccid,por\n" ICCID ",027100000b0ab00001\n" ICCID ",027100\n");
	ck_assert_int_eq(term_porfile_check(text, n, err, sizeof(err)), 2);
	/* not a PoR file: refused, left as it was */
	f = fopen(path, "w");
	fputs("iccid,imsi\n1,2\n", f);
	fclose(f);
	ck_assert_int_eq(term_porfile_append(path, ICCID, por, sizeof(por), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a PoR file"));
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_size, 15);
	/* the checker's refusals */
	ck_assert_int_lt(pc("iccid,por\n" ICCID ",0g\n"), 0);
	ck_assert_int_lt(pc("iccid,por\n" ICCID ",012\n"), 0);
	ck_assert_int_lt(pc("iccid,por\n12,00\n"), 0);
	ck_assert_int_lt(pc("iccid,por\n" ICCID ",00,1\n"), 0);
	ck_assert_int_lt(pc("iccid,por\n" ICCID ",\n"), 0);
	ck_assert_int_lt(pc("por,iccid\n"), 0);
	ck_assert_int_eq(pc("iccid,por\r\n" ICCID ",00\r\n"), 1);
	ck_assert_int_eq(pc(""), 0);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(sub_spec)
{
	struct auth_keyset ks;
	char imsi[16], err[200];
	uint64_t sqn;

	ck_assert_int_eq(term_net_parse_sub("001010000000001:000102030405060708090a0b0c0d0e0f:"
					    "0f0e0d0c0b0a09080706050403020100", imsi, &ks, &sqn,
					    err, sizeof(err)), 0);
	ck_assert_str_eq(imsi, "001010000000001");
	ck_assert_int_eq(ks.alg, AUTH_ALG_MILENAGE);
	ck_assert_uint_eq(ks.k_len, 16);
	ck_assert_uint_eq(ks.k[15], 0x0f);
	ck_assert_uint_eq(sqn, 0);
	ck_assert_int_eq(term_net_parse_sub("001010000000001:000102030405060708090a0b0c0d0e0f:"
					    "0f0e0d0c0b0a09080706050403020100:milenage:0000000000a0",
					    imsi, &ks, &sqn, err, sizeof(err)), 0);
	ck_assert_uint_eq(sqn, 0xa0);
	ck_assert_int_eq(term_net_parse_sub("00101:00:00", imsi, &ks, &sqn, err, sizeof(err)),
			 TERM_EARG);
	ck_assert_int_eq(term_net_parse_sub("001010000000001:0001:0f0e", imsi, &ks, &sqn, err,
					    sizeof(err)), TERM_EARG);
	ck_assert_int_eq(term_net_parse_sub("001010000000001:000102030405060708090a0b0c0d0e0f:"
					    "0f0e0d0c0b0a09080706050403020100:sha1", imsi, &ks,
					    &sqn, err, sizeof(err)), TERM_EARG);
	ck_assert_int_eq(term_net_parse_sub("001010000000001:000102030405060708090a0b0c0d0e0f:"
					    "0f0e0d0c0b0a09080706050403020100:milenage:00:1", imsi,
					    &ks, &sqn, err, sizeof(err)), TERM_EARG);
	OPENSSL_cleanse(&ks, sizeof(ks));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("term");
	TCase *tc = tcase_create("term");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, power_up_and_attach, 0, 2);
	tcase_add_test(tc, pin_handling);
	tcase_add_test(tc, auts_resync);
	tcase_add_test(tc, wrong_key_and_unknown_imsi);
	tcase_add_loop_test(tc, switch_refresh_reattach, 0, 2);
	tcase_add_test(tc, por_by_send_sms);
	tcase_add_test(tc, fallback_after_three_sessions);
	tcase_add_test(tc, proactive_any_time_and_link_failure);
	tcase_add_test(tc, msgfile_good);
	tcase_add_test(tc, msgfile_malformed);
	tcase_add_test(tc, porfile);
	tcase_add_test(tc, sub_spec);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
