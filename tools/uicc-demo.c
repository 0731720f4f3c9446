/*
 * uicc-demo - TR 33.812's change of operator, played end to end on a
 * simulated card in a temporary directory: Alternative 3b (pre-loaded key
 * sets, OTA switch of IMSI and key index, REFRESH, re-attach), Alternative
 * 3a (the new operator replaces K/OPc over the air) and the fallback (the
 * new operator never authenticates; the card returns to the old one).
 * Every step is narrated, or printed as one JSON object per line (--json).
 * The actors talk to the card the way the tools do: APDUs on a card whose
 * image is saved after every command.  See uicc-demo(1).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/bcd.h"
#include "common/buf.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "uicckit/auth.h"
#include "uicckit/envelope.h"
#include "uicckit/image.h"
#include "uicckit/keyset.h"
#include "uicckit/m2m_script.h"
#include "uicckit/perso.h"
#include "uicckit/por.h"
#include "uicckit/sms.h"

#define IMSI_A "001010000000001"
#define IMSI_B "001020000000002"

struct demo {
	int json;
	const char *alt;
	char dir[64], path[96];
	struct uicc *card;
	struct uicc_image_store st;
	struct uicc_perso p;		/* what the manufacturer loaded (the escrow's copy) */
	uint64_t cntr[4];		/* OTA counter each operator keeps per key set */
	uint64_t sqn[4];		/* SQN_HE of the AuC per key set */
	uint8_t r[UICC_RAPDU_MAX];
	size_t rlen;
	unsigned sw;
	int failures;
};

static void say(struct demo *d, const char *actor, const char *step, const char *outcome,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void say(struct demo *d, const char *actor, const char *step, const char *outcome,
		const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (d->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "alternative", d->alt,
				      "step", step, "actor", actor, "outcome", outcome,
				      "detail", text);
		char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

		if (s != NULL)
			puts(s);
		free(s);
		json_decref(o);
	} else {
		printf("[%s] %-12s %-26s %s\n    %s\n", d->alt, actor, step, outcome, text);
	}
	fflush(stdout);
}

static unsigned apdu(struct demo *d, const uint8_t *a, size_t n)
{
	d->rlen = uicc_transmit(d->card, a, n, d->r, sizeof(d->r));
	d->sw = (unsigned)d->r[d->rlen - 2] << 8 | d->r[d->rlen - 1];
	return d->sw;
}

static unsigned apdu_hex(struct demo *d, const char *hex)
{
	uint8_t a[300];
	size_t n = 0;

	if (uk_hex_decode(hex, a, sizeof(a), &n) != 0)
		return 0x6f00;
	return apdu(d, a, n);
}

/* A terminal's power-up: ATR, TERMINAL PROFILE (SMS-PP download, REFRESH,
 * SEND SHORT MESSAGE), PIN, ADF.USIM, EF.IMSI. */
static void power_up(struct demo *d, char imsi[16])
{
	uicc_power_on(d->card, NULL, 0);
	apdu_hex(d, "801000000403008002");
	apdu_hex(d, "002000010831323334FFFFFFFF");
	apdu_hex(d, "00A4040C07A0000000871002");
	apdu_hex(d, "00A4000C026F07");
	if (apdu_hex(d, "00B0000009") != 0x9000 || uk_imsi_decode(d->r, 9, imsi) != 0)
		strcpy(imsi, "?");
}

static void keyset_auth(const struct demo *d, int idx, struct auth_keyset *ak)
{
	const struct uicc_keyset *ks = &d->p.ks[idx];

	memset(ak, 0, sizeof(*ak));
	ak->alg = AUTH_ALG_MILENAGE;
	ak->k_len = 16;
	memcpy(ak->k, ks->k, 16);
	ak->op_len = 16;
	ak->op_is_opc = 1;
	memcpy(ak->op, ks->opc, 16);
}

/* The network side of an attach: a vector from operator `who`'s AuC for key
 * set idx, AUTHENTICATE, compare RES.  Returns 1 when attached. */
static int attach(struct demo *d, const char *who, int idx, const char *imsi)
{
	struct auth_ctx *cx = auth_ctx_new();
	struct auth_keyset ak;
	struct auth_vector v;
	uint8_t rnd[16], sq[6], amf[2] = { 0x80, 0x00 }, a[5 + 34];
	int ok = 0;

	keyset_auth(d, idx, &ak);
	d->sqn[idx] = auth_sqn_next(d->sqn[idx], 0, 5);
	uk_put_be(sq, d->sqn[idx], 6);
	if (cx == NULL || RAND_bytes(rnd, 16) != 1 || auth_gen_vector(cx, &ak, rnd, sq, amf, &v) != 0) {
		auth_ctx_free(cx);
		OPENSSL_cleanse(&ak, sizeof(ak));
		return 0;
	}
	memcpy(a, "\x00\x88\x00\x81\x22\x10", 6);
	memcpy(a + 6, v.rand, 16);
	a[22] = 0x10;
	memcpy(a + 23, v.autn, 16);
	apdu(d, a, sizeof(a));
	ok = d->sw == 0x9000 && d->r[0] == 0xdb && d->r[1] == v.xres_len &&
	     CRYPTO_memcmp(d->r + 2, v.xres, v.xres_len) == 0;
	if (ok)
		say(d, who, "attach", "attach ok",
		    "IMSI %s authenticated with key set %d: RES matches XRES", imsi, idx);
	else
		say(d, who, "attach", "attach failed",
		    "IMSI %s, vector of key set %d: the card answers %04X%s", imsi, idx, d->sw,
		    d->sw == 0x9862 ? " (MAC failure: not this card's key)" : "");
	auth_ctx_free(cx);
	OPENSSL_cleanse(&ak, sizeof(ak));
	OPENSSL_cleanse(&v, sizeof(v));
	return ok;
}

/* An OTA secured SMS under key set idx's OTA keys; parses the PoR and
 * fetches the proactive commands that follow.  Returns the PoR status or
 * -1; *refresh is set when the card asked for REFRESH. */
static int ota(struct demo *d, const char *who, int idx, const uint8_t *script, size_t len,
	       int *refresh)
{
	const struct uicc_keyset *ks = &d->p.ks[idx];
	struct ota_cmd_hdr h;
	struct ota_keys k;
	struct ota_sms_deliver sms;
	struct ota_por por;
	uint8_t pkt[200], ud[200], tpdu[300], env[300], work[600], fetch[5] = { 0x80, 0x12, 0, 0, 0 };
	size_t tl = 0, el = 0;
	int n, rc = -1;

	*refresh = 0;
	memset(&h, 0, sizeof(h));
	h.spi[0] = 0x16;	/* counter must be higher, ciphered, CC */
	h.spi[1] = 0x19;	/* PoR always, CC, ciphered, in the DELIVER-REPORT */
	h.kic = (uint8_t)(ks->kvn << 4 | ks->kic_alg);
	h.kid = (uint8_t)(ks->kvn << 4 | ks->kid_alg);
	memcpy(h.tar, ks->tar, 3);
	h.cntr = ++d->cntr[idx];
	memset(&k, 0, sizeof(k));
	memcpy(k.kic_key, ks->kic, ks->kic_len);
	k.kic_key_len = ks->kic_len;
	memcpy(k.kid_key, ks->kid, ks->kid_len);
	k.kid_key_len = ks->kid_len;
	n = ota_cmd_build(&h, &k, script, len, pkt, sizeof(pkt));
	if (n <= 0 || n + 3 > OTA_SMS_UD_MAX)
		goto out;
	memcpy(ud, "\x02\x70\x00", 3);
	memcpy(ud + 3, pkt, (size_t)n);
	ota_sms_deliver_init(&sms);
	if (ota_sms_addr_set(&sms.oa, "12345", 0x91) != 0)
		goto out;
	sms.ud = ud;
	sms.ud_len = (size_t)n + 3;
	sms.udl = (uint8_t)sms.ud_len;
	if (ota_sms_deliver_build(&sms, tpdu, sizeof(tpdu), &tl) != 0 ||
	    ota_env_sms_pp_build(tpdu, tl, NULL, 0, env, sizeof(env), &el) != 0)
		goto out;
	apdu(d, env, el);
	if (d->rlen > 2 && ota_por_parse(d->r, d->rlen - 2, &h, &k, work, sizeof(work), &por) == 0) {
		rc = por.rsc;
		say(d, who, "proof of receipt", ota_rsc_name(por.rsc),
		    "status %02X, %s; commands run %u, last SW %02X%02X", por.rsc,
		    por.authenticated ? "CC verified with the sender's keys" :
		    "plain (no checksum: the card used no key to answer)",
		    por.dlen >= 3 ? por.data[0] : 0, por.dlen >= 3 ? por.data[1] : 0,
		    por.dlen >= 3 ? por.data[2] : 0);
	}
	while ((d->sw & 0xff00) == 0x9100) {
		fetch[4] = (uint8_t)d->sw;
		if (apdu(d, fetch, 5) != 0x9000 || d->rlen < 8)
			break;
		if (d->r[5] == 0x01) {
			*refresh = 1;
			say(d, "card", "proactive REFRESH", "REFRESH",
			    "qualifier %02X (UICC reset): the terminal resets the card and reads "
			    "the IMSI again", d->r[6]);
			break;	/* the terminal resets instead of answering */
		}
		apdu_hex(d, "801400000C810301130082028281830100");
	}
out:
	OPENSSL_cleanse(&k, sizeof(k));
	return rc;
}

static int setup_card(struct demo *d, unsigned nsets)
{
	char err[256];
	json_t *prof = uicc_profile_default();

	memset(&d->p, 0, sizeof(d->p));
	strcpy(d->p.iccid, "89882390000000000019");
	strcpy(d->p.imsi, IMSI_A);
	memset(d->cntr, 0, sizeof(d->cntr));
	memset(d->sqn, 0, sizeof(d->sqn));
	uicc_free(d->card);
	d->card = prof ? uicc_new(prof, err, sizeof(err)) : NULL;
	json_decref(prof);
	if (d->card == NULL || uicc_perso_defaults(&d->p, nsets) != 0 ||
	    uicc_perso_apply(d->card, &d->p, err, sizeof(err)) != 0)
		return -1;
	memset(&d->st, 0, sizeof(d->st));
	d->st.path = d->path;
	if (uicc_image_save(&d->st, d->card) != 0)
		return -1;
	uicc_set_store(d->card, &uicc_image_store_ops, &d->st);
	say(d, "manufacturer", "personalisation", "personalised",
	    "card %s with %u key sets (index 0 active for operator A, IMSI %s); image %s (0600)",
	    d->p.iccid, nsets, IMSI_A, d->path);
	return 0;
}

static int expect(struct demo *d, int cond, const char *what)
{
	if (!cond) {
		d->failures++;
		say(d, "demo", "check", "unexpected", "%s", what);
	}
	return cond;
}

static void alternative_3b(struct demo *d)
{
	uint8_t s[64];
	size_t sl = 0;
	char imsi[16];
	int refresh = 0, rsc;

	d->alt = "3b";
	if (!expect(d, setup_card(d, 4) == 0, "personalisation failed"))
		return;
	power_up(d, imsi);
	expect(d, attach(d, "operator A", 0, imsi), "attach at A");
	say(d, "operator B", "IMSI list", "sent", "new IMSI %s for ICCID %s, to key set 1",
	    IMSI_B, d->p.iccid);
	ota_m2m_switch_script(IMSI_B, 1, OTA_RFM_COMPACT, s, sizeof(s), &sl);
	say(d, "operator A", "OTA switch", "sent",
	    "secured SMS (AES-128, counter, CC) to TAR B00001: UPDATE EF.IMSI, UPDATE EF.KEYIDX = 1");
	rsc = ota(d, "operator A", 0, s, sl, &refresh);
	expect(d, rsc == OTA_RSC_OK && refresh, "switch PoR OK and REFRESH");
	power_up(d, imsi);
	say(d, "terminal", "re-initialise", strcmp(imsi, IMSI_B) == 0 ? "new IMSI" : "old IMSI",
	    "after the reset EF.IMSI reads %s", imsi);
	expect(d, strcmp(imsi, IMSI_B) == 0, "new IMSI after REFRESH");
	say(d, "escrow", "release", "released",
	    "key set 1 of card %s goes to operator B (the manufacturer's copy in this demo)",
	    d->p.iccid);
	expect(d, attach(d, "operator B", 1, imsi), "attach at B");
	expect(d, !attach(d, "operator A", 0, imsi), "A's old key refused");
	rsc = ota(d, "operator A", 0, s, sl, &refresh);
	expect(d, rsc == OTA_RSC_SECURITY_ERROR, "A's OTA keys refused");
}

static void alternative_3a(struct demo *d)
{
	uint8_t s[128], k[16], opc[16];
	size_t sl = 0;
	char imsi[16];
	int refresh = 0, rsc;

	d->alt = "3a";
	/* the card is now operator B's (key set 1); B replaces K/OPc */
	if (RAND_bytes(k, 16) != 1 || RAND_bytes(opc, 16) != 1)
		return;
	ota_m2m_rekey_script(k, opc, NULL, NULL, OTA_RFM_COMPACT, s, sizeof(s), &sl);
	say(d, "operator B", "OTA key transfer", "sent",
	    "secured SMS under key set 1's OTA keys: UPDATE EF.KEYXFER with a new K and OPc");
	rsc = ota(d, "operator B", 1, s, sl, &refresh);
	expect(d, rsc == OTA_RSC_OK, "rekey PoR OK");
	power_up(d, imsi);
	expect(d, !attach(d, "operator B", 1, imsi), "old K refused after the transfer");
	memcpy(d->p.ks[1].k, k, 16);
	memcpy(d->p.ks[1].opc, opc, 16);
	d->sqn[1] = 0;		/* a new K starts a new SQN space */
	expect(d, attach(d, "operator B", 1, imsi), "attach with the transferred key");
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(opc, sizeof(opc));
	OPENSSL_cleanse(s, sizeof(s));
}

static void fallback(struct demo *d)
{
	uint8_t s[64];
	size_t sl = 0;
	char imsi[16];
	int refresh = 0, i;

	d->alt = "3b";
	if (!expect(d, setup_card(d, 4) == 0, "personalisation failed"))
		return;
	power_up(d, imsi);
	ota_m2m_switch_script(IMSI_B, 1, OTA_RFM_COMPACT, s, sizeof(s), &sl);
	say(d, "operator A", "OTA switch", "sent", "switch to IMSI %s / key set 1", IMSI_B);
	expect(d, ota(d, "operator A", 0, s, sl, &refresh) == OTA_RSC_OK, "switch accepted");
	for (i = 1; i <= 4; i++) {
		power_up(d, imsi);
		say(d, "terminal", "power-up", strcmp(imsi, IMSI_B) == 0 ? "new IMSI" : "fallback",
		    "session %d: IMSI %s; operator B's network never authenticates", i, imsi);
	}
	expect(d, strcmp(imsi, IMSI_A) == 0, "reverted to IMSI A after 3 sessions");
	expect(d, attach(d, "operator A", 0, imsi), "attach at A after the fallback");
}

int main(int argc, char **argv)
{
	struct demo d;
	int i, keep = 0;

	uk_json_cleansing_alloc();
	memset(&d, 0, sizeof(d));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			d.json = 1;
		} else if (strcmp(argv[i], "--keep") == 0) {
			keep = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			puts("usage: uicc-demo [--json] [--keep]\n"
			     "Plays TR 33.812 Alternatives 3b and 3a and the fallback on a simulated\n"
			     "card in a temporary directory (--keep leaves it).  exit status: 0 every\n"
			     "step went as expected, 1 a step did not, 2 usage error");
			return 0;
		} else {
			fprintf(stderr, "uicc-demo: unknown argument %s (see --help)\n", argv[i]);
			return 2;
		}
	}
	strcpy(d.dir, "/tmp/uicc-demo-XXXXXX");
	if (mkdtemp(d.dir) == NULL) {
		perror("uicc-demo: mkdtemp");
		return 1;
	}
	snprintf(d.path, sizeof(d.path), "%s/card.json", d.dir);
	alternative_3b(&d);
	alternative_3a(&d);
	fallback(&d);
	d.alt = "-";
	say(&d, "demo", "summary", d.failures ? "failed" : "ok", "%d unexpected outcome%s",
	    d.failures, d.failures == 1 ? "" : "s");
	uicc_free(d.card);
	uicc_perso_cleanse(&d.p);
	if (!keep) {
		unlink(d.path);
		rmdir(d.dir);
	}
	return d.failures ? 1 : 0;
}
