/*
 * term.c - the M2M terminal engine of uicc-term (term.h): power-up (TS 102
 * 221 §14.5 / TS 31.102 §5.1.1), attach (AUTHENTICATE, TS 31.102 §7.1.2,
 * with AUTS resynchronisation), SMS-PP data download (TS 31.111 §7.1.1.2),
 * proactive commands (TS 102 223: FETCH / TERMINAL RESPONSE, SEND SHORT
 * MESSAGE, REFRESH) and the PoR file.  Every step is an event.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "common/bcd.h"
#include "common/hex.h"
#include "tools/term.h"
#include "uicckit/envelope.h"
#include "uicckit/fcp.h"
#include "uicckit/por.h"
#include "uicckit/sms.h"

#define PROACTIVE_MAX 16	/* proactive commands handled in a row */
#define REFRESH_MAX 8		/* REFRESH handled in a row */
#define POR_KEEP 512

/* TS 102 223 §5.2: profile download, SMS-PP data download (byte 1), command
 * result (byte 2), REFRESH (byte 3 b8), SEND SHORT MESSAGE (byte 4 b2). */
static const uint8_t default_profile[] = { 0x03, 0x01, 0x80, 0x02 };
static const uint8_t usim_rid_app[] = { 0xa0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02 };

struct term {
	const struct term_link *link;
	const struct term_net *net;
	struct term_opts o;
	term_event_fn ev;
	void *ev_arg;
	uint8_t *raw;		/* one answer from the link */
	uint8_t *data;		/* the whole answer after GET RESPONSE */
	size_t dlen;
	unsigned sw;
	unsigned session;
	char iccid[21], imsi[16];
	unsigned mnc_len;
	uint8_t aid[16];
	size_t aid_len;
	size_t fetch_len;	/* 91 XX seen: XX (0 = none) */
	int in_proactive;
	int refresh;		/* REFRESH to handle */
	uint8_t refresh_q;
	int cmd_known;		/* header of the command packet being delivered */
	uint8_t cmd_spi2, cmd_tar[3];
	struct term_stats st;
	uint8_t por[POR_KEEP];
	size_t por_len;
	int fatal;		/* a link / output error (TERM_E*) */
	char err[256];
};

const char *term_strerror(int err)
{
	switch (err) {
	case TERM_OK: return "ok";
	case TERM_ELINK: return "card link failed";
	case TERM_ECARD: return "unexpected card status";
	case TERM_EARG: return "bad argument";
	case TERM_ENOMEM: return "out of memory";
	case TERM_EUNKNOWN: return "IMSI unknown";
	case TERM_EAUTS: return "AUTS does not verify";
	case TERM_ENET: return "network failure";
	case TERM_EIO: return "output file failed";
	default: return "error";
	}
}

/* ------------------------------------------------------------------ */
/* Events                                                              */

static json_t *ev_new(const struct term *t, const char *name)
{
	json_t *o = json_object();

	if (o != NULL) {
		json_object_set_new(o, "event", json_string(name));
		json_object_set_new(o, "session", json_integer(t->session));
	}
	return o;
}

static void ev_hex(json_t *o, const char *name, const uint8_t *p, size_t n)
{
	char *s = uk_hex_alloc(p, n);

	if (o != NULL && s != NULL)
		json_object_set_new(o, name, json_string(s));
	free(s);
}

static void ev_sw(json_t *o, unsigned sw)
{
	char s[8];

	snprintf(s, sizeof(s), "%04X", sw & 0xffff);
	json_object_set_new(o, "sw", json_string(s));
}

static void ev_str(json_t *o, const char *name, const char *v)
{
	if (o != NULL)
		json_object_set_new(o, name, json_string(v != NULL ? v : ""));
}

/* Send the event with its readable text (field "text"). */
static void ev_emit(struct term *t, json_t *o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ev_emit(struct term *t, json_t *o, const char *fmt, ...)
{
	char text[600];
	va_list ap;

	if (o == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_object_set_new(o, "text", json_string(text));
	if (t->ev != NULL)
		t->ev(t->ev_arg, o);
	json_decref(o);
}

/* ------------------------------------------------------------------ */
/* APDU transport: T=0 GET RESPONSE (61xx, 9Fxx) and 6Cxx, 91xx          */

static int raw(struct term *t, const uint8_t *c, size_t n, size_t *rlen)
{
	int rc = t->link->ops->transmit(t->link->ctx, c, n, t->raw, TERM_RAPDU_MAX, rlen, t->err,
					sizeof(t->err));

	if (rc != 0 && t->fatal == 0)
		t->fatal = rc;
	return rc;
}

static void log_apdu(struct term *t, const uint8_t *c, size_t n)
{
	json_t *o;

	if (!t->o.verbose)
		return;
	o = ev_new(t, "apdu");
	if (n >= 5 && c[1] == 0x20) {
		ev_hex(o, "command", c, 5);	/* VERIFY: no PIN in the log */
	} else {
		ev_hex(o, "command", c, n);
	}
	if (n >= 2 && c[1] == 0x88)
		json_object_set_new(o, "response_len", json_integer((json_int_t)t->dlen));
	else
		ev_hex(o, "response", t->data, t->dlen);
	ev_sw(o, t->sw);
	ev_emit(t, o, "%.80s%s -> %zu bytes, SW %04X",
		json_string_value(json_object_get(o, "command")) ?
		json_string_value(json_object_get(o, "command")) : "",
		n >= 5 && c[1] == 0x20 ? " (PIN not shown)" : "", t->dlen, t->sw);
}

/* One command, with everything the terminal's transport layer does: the
 * result is t->data / t->dlen / t->sw. */
static int xfer(struct term *t, const uint8_t *c, size_t n)
{
	uint8_t cmd[5 + 255 + 1], gr[5] = { 0x00, 0xc0, 0x00, 0x00, 0x00 }, *last;
	size_t rlen = 0, last_len;
	int rc, rounds = 0, retried = 0;

	t->dlen = 0;
	t->sw = 0x6f00;
	if (n > sizeof(cmd) || n < 4)
		return TERM_EARG;
	memcpy(cmd, c, n);
	rc = raw(t, cmd, n, &rlen);
	if (rc != 0)
		return rc;
	last = cmd;
	last_len = n;
	for (;;) {
		unsigned sw = (unsigned)t->raw[rlen - 2] << 8 | t->raw[rlen - 1];

		if (t->dlen + rlen - 2 > TERM_RAPDU_MAX - 2)
			return TERM_ECARD;
		memcpy(t->data + t->dlen, t->raw, rlen - 2);
		t->dlen += rlen - 2;
		t->sw = sw;
		if (++rounds > 300)
			break;
		if ((sw >> 8) == 0x6c && (last_len == 4 || last_len == 5) && !retried) {
			/* TS 102 221 §7.2.2.3.1: repeat with Le = SW2 (the
			 * command, or the GET RESPONSE) */
			last[4] = (uint8_t)sw;
			retried = 1;
			rc = raw(t, last, 5, &rlen);
		} else if ((sw >> 8) == 0x61 || (sw >> 8) == 0x9f) {
			/* §7.2.2.3.2: GET RESPONSE, CLA of the basic channel */
			gr[0] = (uint8_t)(cmd[0] & 0x80 ? 0x00 : cmd[0] & 0x03);
			gr[4] = (uint8_t)sw;
			last = gr;
			last_len = 5;
			retried = 0;
			rc = raw(t, gr, 5, &rlen);
		} else {
			break;
		}
		if (rc != 0)
			return rc;
	}
	if ((t->sw >> 8) == 0x91)
		t->fetch_len = (t->sw & 0xff) ? (t->sw & 0xff) : 256;
	log_apdu(t, c, n);
	return 0;
}

static int sw_ok(unsigned sw)
{
	return sw == 0x9000 || (sw >> 8) == 0x91;
}

static int run_proactive(struct term *t);

/* xfer, then any proactive command the card signalled (91 XX), keeping
 * the command's own answer. */
static int cmd(struct term *t, const uint8_t *c, size_t n)
{
	uint8_t *keep;
	size_t klen;
	unsigned ksw;
	int rc = xfer(t, c, n);

	if (rc != 0 || t->fetch_len == 0 || t->in_proactive)
		return rc;
	klen = t->dlen;
	ksw = t->sw;
	keep = malloc(klen ? klen : 1);
	if (keep == NULL)
		return TERM_ENOMEM;
	memcpy(keep, t->data, klen);
	rc = run_proactive(t);
	memcpy(t->data, keep, klen);
	OPENSSL_cleanse(keep, klen);
	free(keep);
	t->dlen = klen;
	t->sw = ksw;
	return rc;
}

static int cmd_hex(struct term *t, const char *hex)
{
	uint8_t c[300];
	size_t n = 0;

	if (uk_hex_decode(hex, c, sizeof(c), &n) != 0)
		return TERM_EARG;
	return cmd(t, c, n);
}

/* SELECT by FID (P1 00, from the current DF) with or without FCP. */
static int select_fid(struct term *t, uint16_t fid, int fcp)
{
	uint8_t c[7] = { 0x00, 0xa4, 0x00, fcp ? 0x04 : 0x0c, 0x02, 0, 0 };

	c[5] = (uint8_t)(fid >> 8);
	c[6] = (uint8_t)fid;
	return cmd(t, c, sizeof(c));
}

/* SELECT fid and READ BINARY the whole file (up to 256 bytes; Le 00, or
 * what 6Cxx says).  0 with data in t->data, TERM_ECARD with t->sw. */
static int read_ef(struct term *t, uint16_t fid, size_t le)
{
	uint8_t rb[5] = { 0x00, 0xb0, 0x00, 0x00, (uint8_t)le };
	int rc = select_fid(t, fid, 0);

	if (rc != 0)
		return rc;
	if (!sw_ok(t->sw))
		return TERM_ECARD;
	rc = cmd(t, rb, sizeof(rb));
	if (rc != 0)
		return rc;
	return sw_ok(t->sw) ? 0 : TERM_ECARD;
}

/* ------------------------------------------------------------------ */
/* PoR                                                                 */

static int por_out(struct term *t, const uint8_t *ud, size_t len, const char *via)
{
	json_t *o = ev_new(t, "por");
	int rsc = -1, prot = 0;
	const char *how = "";

	memcpy(t->por, ud, len < POR_KEEP ? len : POR_KEEP);
	t->por_len = len < POR_KEEP ? len : POR_KEEP;
	t->st.pors++;
	/* 02 71 00 RPL(2) RHL TAR(3) CNTR(5) PCNTR RSC: TS 102 225 §5.2 */
	if (len >= 16 && ud[0] == 0x02 && ud[1] == 0x71 && ud[2] == 0x00) {
		if (ud[5] == 0x0a) {
			rsc = ud[15];
			how = "plain PoR";
		} else if (t->cmd_known && !(t->cmd_spi2 & 0x10)) {
			rsc = ud[15];
			how = "not ciphered; its checksum is the sender's to verify";
		} else {
			prot = 1;
			how = t->cmd_known ? "ciphered: the sender decodes and verifies it" :
				"protected: the sender decodes and verifies it";
		}
	} else {
		how = "not a response packet (no 02 71 00 header)";
	}
	ev_str(o, "via", via);
	ev_hex(o, "por", ud, len);
	if (rsc >= 0) {
		json_object_set_new(o, "rsc", json_integer(rsc));
		ev_str(o, "rsc_name", ota_rsc_name((uint8_t)rsc));
	} else {
		json_object_set_new(o, "rsc", json_null());
	}
	json_object_set_new(o, "protected", json_boolean(prot));
	t->st.last_rsc = rsc;
	if (rsc >= 0)
		ev_emit(t, o, "PoR (%s, %zu bytes): status %02X %s (%s)", via, len, rsc,
			ota_rsc_name((uint8_t)rsc), how);
	else
		ev_emit(t, o, "PoR (%s, %zu bytes): %s", via, len, how);
	if (t->o.por_out != NULL) {
		char why[200];

		if (term_porfile_append(t->o.por_out, t->iccid, ud, len, why, sizeof(why)) != 0) {
			snprintf(t->err, sizeof(t->err), "%s", why);
			t->fatal = TERM_EIO;
			return TERM_EIO;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Proactive commands                                                  */

static const char *cat_name(uint8_t type)
{
	switch (type) {
	case 0x01: return "REFRESH";
	case 0x05: return "SET UP EVENT LIST";
	case 0x13: return "SEND SHORT MESSAGE";
	case 0x21: return "DISPLAY TEXT";
	case 0x25: return "SET UP MENU";
	default: return "proactive command";
	}
}

static const char *refresh_mode(uint8_t q)
{
	switch (q) {
	case 0x00: return "NAA initialisation and full file change notification";
	case 0x01: return "file change notification";
	case 0x02: return "NAA initialisation and file change notification";
	case 0x03: return "NAA initialisation";
	case 0x04: return "UICC reset";
	case 0x05: return "NAA application reset";
	case 0x06: return "NAA session reset";
	default: return "reserved mode";
	}
}

static int terminal_response(struct term *t, uint8_t num, uint8_t type, uint8_t q,
			     uint8_t result)
{
	uint8_t tr[64];
	size_t n = 0;
	json_t *o;
	int rc;

	if (ota_cat_terminal_response_build(num, type, q, &result, 1, tr, sizeof(tr), &n) != 0)
		return TERM_EARG;
	rc = xfer(t, tr, n);
	if (rc != 0)
		return rc;
	o = ev_new(t, "terminal-response");
	json_object_set_new(o, "type", json_integer(type));
	json_object_set_new(o, "result", json_integer(result));
	ev_sw(o, t->sw);
	ev_emit(t, o, "TERMINAL RESPONSE to %s: result %02X, SW %04X", cat_name(type), result,
		t->sw);
	return 0;
}

/* FETCH while the card has something (TS 102 221 §7.4.2.2). */
static int run_proactive(struct term *t)
{
	uint8_t fetch[5] = { 0x80, 0x12, 0x00, 0x00, 0x00 };
	int guard = 0, rc = 0;

	if (t->in_proactive)
		return 0;
	t->in_proactive = 1;
	while (t->fetch_len > 0 && guard++ < PROACTIVE_MAX) {
		const uint8_t *p;
		uint8_t num, type, q;
		json_t *o;

		fetch[4] = (uint8_t)t->fetch_len;
		t->fetch_len = 0;
		rc = xfer(t, fetch, sizeof(fetch));
		if (rc != 0)
			break;
		o = ev_new(t, "proactive");
		/* D0 L 81 03 nn tt qq ...: TS 102 223 §6.6; short lengths only
		 * (a 81 xx length form moves the details by one) */
		p = t->data;
		if (t->dlen >= 2 && p[0] == 0xd0 && p[1] == 0x81 && t->dlen >= 3)
			p++;
		if (!sw_ok(t->sw) || t->dlen < 7 || p[2] != 0x81 || p[3] != 0x03) {
			ev_sw(o, t->sw);
			ev_hex(o, "command", t->data, t->dlen);
			ev_emit(t, o, "FETCH: no usable proactive command (SW %04X, %zu bytes)",
				t->sw, t->dlen);
			break;
		}
		num = p[4];
		type = p[5];
		q = p[6];
		json_object_set_new(o, "type", json_integer(type));
		ev_str(o, "name", cat_name(type));
		json_object_set_new(o, "number", json_integer(num));
		json_object_set_new(o, "qualifier", json_integer(q));
		ev_hex(o, "command", t->data, t->dlen);
		ev_emit(t, o, "proactive command %u: %s (qualifier %02X)", num, cat_name(type), q);
		if (type == 0x13) {
			const uint8_t *ud = NULL;
			size_t udl = 0;
			uint8_t *copy;
			int ok = ota_cat_send_sms_por(t->data, t->dlen, NULL, &ud, &udl) == 0;

			if (ok) {
				copy = malloc(udl ? udl : 1);
				if (copy == NULL) {
					rc = TERM_ENOMEM;
					break;
				}
				memcpy(copy, ud, udl);
				rc = por_out(t, copy, udl, "send-sms");
				free(copy);
				if (rc != 0)
					break;
			}
			/* 00 performed; 20 terminal currently unable (no TPDU) */
			rc = terminal_response(t, num, type, q, ok ? 0x00 : 0x20);
		} else if (type == 0x01) {
			t->refresh = 1;
			t->refresh_q = q;
			if (q == 0x04) {
				/* TS 102 223 §6.4.7: for UICC reset the terminal
				 * resets instead of answering */
				break;
			}
			rc = terminal_response(t, num, type, q, 0x00);
		} else {
			/* 30: command beyond terminal's capabilities */
			rc = terminal_response(t, num, type, q, 0x30);
		}
		if (rc != 0)
			break;
	}
	if (t->refresh && t->refresh_q == 0x04)
		t->fetch_len = 0;	/* the reset drops whatever is pending */
	t->in_proactive = 0;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Power-up                                                            */

static int find_usim(struct term *t, const uint8_t *rec, size_t len, char *label, size_t lcap)
{
	size_t i = 0;

	/* EF.DIR record: 61 L { 4F L AID, 50 L label, ... } (TS 102 221 §13.1) */
	if (len < 2 || rec[0] != 0x61 || rec[1] > len - 2)
		return 0;
	len = (size_t)rec[1] + 2;
	i = 2;
	while (i + 2 <= len) {
		uint8_t tag = rec[i], l = rec[i + 1];

		if (i + 2 + l > len)
			return 0;
		if (tag == 0x4f && l >= sizeof(usim_rid_app) && l <= sizeof(t->aid) &&
		    memcmp(rec + i + 2, usim_rid_app, sizeof(usim_rid_app)) == 0 &&
		    t->aid_len == 0) {
			memcpy(t->aid, rec + i + 2, l);
			t->aid_len = l;
		} else if (tag == 0x50 && lcap > 0) {
			size_t k, m = l < lcap - 1 ? l : lcap - 1;

			for (k = 0; k < m; k++) {
				uint8_t ch = rec[i + 2 + k];

				label[k] = ch >= 0x20 && ch < 0x7f ? (char)ch : '.';
			}
			label[m] = '\0';
		}
		i += 2 + (size_t)l;
	}
	return t->aid_len > 0;
}

static int card_fail(struct term *t, const char *what)
{
	json_t *o = ev_new(t, "error");

	ev_str(o, "step", what);
	ev_sw(o, t->sw);
	ev_emit(t, o, "%s: the card answers %04X", what, t->sw);
	return TERM_ECARD;
}

static int read_dir(struct term *t)
{
	struct uicc_fcp_info fcp;
	uint8_t rr[5] = { 0x00, 0xb2, 0x00, 0x04, 0x00 };
	char label[64] = "";
	unsigned i, n = 16;
	json_t *o;
	int rc;

	t->aid_len = 0;
	rc = select_fid(t, 0x2f00, 1);
	if (rc != 0)
		return rc;
	if (!sw_ok(t->sw))
		return card_fail(t, "SELECT EF.DIR");
	if (uicc_fcp_parse(t->data, t->dlen, &fcp) == 0 && fcp.structure == 2) {
		n = fcp.n_rec < 16 ? fcp.n_rec : 16;
		rr[4] = (uint8_t)fcp.rec_len;
	}
	for (i = 1; i <= n && t->aid_len == 0; i++) {
		rr[2] = (uint8_t)i;
		rc = cmd(t, rr, sizeof(rr));
		if (rc != 0)
			return rc;
		if (t->sw == 0x6a83)
			break;
		if (sw_ok(t->sw))
			find_usim(t, t->data, t->dlen, label, sizeof(label));
	}
	o = ev_new(t, "usim");
	if (t->aid_len == 0) {
		ev_emit(t, o, "EF.DIR lists no USIM application");
		return TERM_ECARD;
	}
	ev_hex(o, "aid", t->aid, t->aid_len);
	ev_str(o, "label", label);
	ev_emit(t, o, "EF.DIR: USIM %s \"%s\" (record %u)", json_string_value(json_object_get(o, "aid")),
		label, i - 1);
	return 0;
}

/* PIN1 (key reference 01, or the universal PIN 11) enabled in the ADF's
 * PS_DO (TS 102 221 §9.5.2: bit 8 downwards, one per key reference)? */
static int pin1_enabled(const struct uicc_fcp_info *f, uint8_t *ref)
{
	size_t i;

	for (i = 0; i < f->n_key_refs && i < 8; i++)
		if ((f->key_refs[i] == 0x01 || f->key_refs[i] == 0x11) &&
		    (f->ps_do & (0x80 >> i))) {
			*ref = f->key_refs[i];
			return 1;
		}
	return 0;
}

static int do_pin(struct term *t, int enabled, uint8_t ref)
{
	uint8_t v[13] = { 0x00, 0x20, 0x00, 0x01, 0x08 };
	json_t *o;
	size_t l;
	int rc;

	v[3] = ref;
	if (!enabled) {
		o = ev_new(t, "pin");
		ev_str(o, "outcome", "disabled");
		ev_emit(t, o, "PIN1 disabled: no verification");
		return 0;
	}
	rc = cmd(t, v, 4);	/* §11.1.9: VERIFY without data = status */
	if (rc != 0)
		return rc;
	o = ev_new(t, "pin");
	if (t->sw == 0x9000) {
		ev_str(o, "outcome", "verified");
		ev_emit(t, o, "PIN1 already verified");
		return 0;
	}
	if ((t->sw & 0xfff0) != 0x63c0) {
		ev_str(o, "outcome", "blocked");
		ev_sw(o, t->sw);
		ev_emit(t, o, "PIN1 status %04X (blocked?)", t->sw);
		return TERM_ECARD;
	}
	json_object_set_new(o, "retries", json_integer(t->sw & 0x0f));
	if (t->o.pin1 == NULL) {
		ev_str(o, "outcome", "required");
		ev_emit(t, o, "PIN1 enabled, %u tries left: give --pin1", t->sw & 0x0f);
		return TERM_ECARD;
	}
	l = strlen(t->o.pin1);
	memset(v + 5, 0xff, 8);
	memcpy(v + 5, t->o.pin1, l < 8 ? l : 8);
	rc = cmd(t, v, sizeof(v));
	OPENSSL_cleanse(v, sizeof(v));
	if (rc != 0) {
		json_decref(o);
		return rc;
	}
	ev_sw(o, t->sw);
	if (t->sw == 0x9000) {
		ev_str(o, "outcome", "verified");
		ev_emit(t, o, "PIN1 verified");
		return 0;
	}
	ev_str(o, "outcome", "wrong");
	ev_emit(t, o, "PIN1 refused: SW %04X%s", t->sw,
		(t->sw & 0xfff0) == 0x63c0 ? " (tries left in SW2)" : "");
	return TERM_ECARD;
}

static void ust_services(json_t *arr, const uint8_t *u, size_t n)
{
	size_t i;

	/* TS 31.102 §4.2.8: service k is bit (k-1)%8 of byte (k-1)/8 */
	for (i = 0; i < n * 8; i++)
		if (u[i / 8] & (1u << (i % 8)))
			json_array_append_new(arr, json_integer((json_int_t)i + 1));
}

static void plmn_decode(const uint8_t p[3], char mcc[4], char mnc[4])
{
	static const char dig[] = "0123456789??????";

	/* TS 24.008 §10.5.1.3: MCC2 MCC1 | MNC3 MCC3 | MNC2 MNC1 */
	mcc[0] = dig[p[0] & 0x0f];
	mcc[1] = dig[p[0] >> 4];
	mcc[2] = dig[p[1] & 0x0f];
	mcc[3] = '\0';
	mnc[0] = dig[p[2] & 0x0f];
	mnc[1] = dig[p[2] >> 4];
	mnc[2] = (p[1] >> 4) == 0x0f ? '\0' : dig[p[1] >> 4];
	mnc[3] = '\0';
}

/* The USIM application: select, PIN, the files a module reads. */
static int init_app(struct term *t)
{
	uint8_t sel[5 + 16] = { 0x00, 0xa4, 0x04, 0x04 };
	struct uicc_fcp_info fcp;
	char mcc[4], mnc[4];
	uint8_t ref = 0x01;
	int enabled = 0, rc;
	json_t *o;

	sel[4] = (uint8_t)t->aid_len;
	memcpy(sel + 5, t->aid, t->aid_len);
	rc = cmd(t, sel, 5 + t->aid_len);
	if (rc != 0)
		return rc;
	if (!sw_ok(t->sw))
		return card_fail(t, "SELECT ADF.USIM");
	if (uicc_fcp_parse(t->data, t->dlen, &fcp) == 0)
		enabled = pin1_enabled(&fcp, &ref);
	else
		enabled = 1;	/* no FCP: ask the card */
	/* TERMINAL PROFILE (TS 102 221 §11.2.1) */
	{
		uint8_t tp[5 + 32] = { 0x80, 0x10, 0x00, 0x00 };
		const uint8_t *prof = t->o.profile_len ? t->o.profile : default_profile;
		size_t pl = t->o.profile_len ? t->o.profile_len : sizeof(default_profile);

		tp[4] = (uint8_t)pl;
		memcpy(tp + 5, prof, pl);
		rc = cmd(t, tp, 5 + pl);
		if (rc != 0)
			return rc;
		o = ev_new(t, "terminal-profile");
		ev_hex(o, "profile", prof, pl);
		ev_sw(o, t->sw);
		ev_emit(t, o, "TERMINAL PROFILE %s: SW %04X",
			json_string_value(json_object_get(o, "profile")), t->sw);
	}
	rc = cmd_hex(t, "80F2000000");	/* STATUS, FCP of the current application */
	if (rc != 0)
		return rc;
	o = ev_new(t, "status");
	ev_sw(o, t->sw);
	if (sw_ok(t->sw) && uicc_fcp_parse(t->data, t->dlen, &fcp) == 0 && fcp.aid_len > 0)
		ev_hex(o, "aid", fcp.aid, fcp.aid_len);
	ev_emit(t, o, "STATUS: SW %04X, application %s", t->sw,
		json_object_get(o, "aid") ? json_string_value(json_object_get(o, "aid")) : "?");
	rc = do_pin(t, enabled, ref);
	if (rc != 0)
		return rc;
	/* EF.AD first: the MNC length tells how to split the IMSI */
	t->mnc_len = 2;
	o = ev_new(t, "files");
	rc = read_ef(t, 0x6fad, 0);
	if (rc == TERM_ECARD)
		json_object_set_new(o, "ad", json_null());
	else if (rc != 0)
		goto fail;
	else {
		ev_hex(o, "ad", t->data, t->dlen);
		if (t->dlen >= 4 && ((t->data[3] & 0x0f) == 2 || (t->data[3] & 0x0f) == 3))
			t->mnc_len = t->data[3] & 0x0f;
		json_object_set_new(o, "mnc_len", json_integer(t->mnc_len));
	}
	rc = read_ef(t, 0x6f38, 0);
	if (rc == 0) {
		json_t *arr = json_array();

		ev_hex(o, "ust", t->data, t->dlen);
		ust_services(arr, t->data, t->dlen);
		json_object_set_new(o, "services", arr);
	} else if (rc != TERM_ECARD) {
		goto fail;
	}
	rc = read_ef(t, 0x6f7e, 11);
	if (rc == 0 && t->dlen >= 11) {
		ev_hex(o, "loci", t->data, t->dlen);
		plmn_decode(t->data + 4, mcc, mnc);
		if (t->data[4] == 0xff)
			ev_str(o, "lai", "none");
		else {
			char lai[24];

			snprintf(lai, sizeof(lai), "%s-%s-%02X%02X", mcc, mnc, t->data[7], t->data[8]);
			ev_str(o, "lai", lai);
		}
		json_object_set_new(o, "update_status", json_integer(t->data[10] & 0x07));
	} else if (rc != 0 && rc != TERM_ECARD) {
		goto fail;
	}
	/* EF.M2MSTATE of the uicckit M2M profile (uicc-profile(5)), when the
	 * card has it: not a module's business, but it tells the tester where
	 * a switch stands */
	rc = read_ef(t, 0xff04, 16);
	if (rc == 0 && t->dlen >= 7 && t->data[0] == 0x01) {
		static const char *const names[] = { "none", "switched", "confirmed", "reverted",
						     "refused (exhausted)", "refused (invalid)" };
		json_t *m = json_object();

		json_object_set_new(m, "pending", json_boolean(t->data[2] == 0x01));
		json_object_set_new(m, "sessions", json_integer(t->data[3]));
		json_object_set_new(m, "max_sessions", json_integer(t->data[4]));
		json_object_set_new(m, "unused", json_integer(t->data[5]));
		json_object_set_new(m, "last_event", json_string(t->data[6] < 6 ? names[t->data[6]] :
								  "unknown"));
		json_object_set_new(o, "m2m", m);
	} else if (rc != 0 && rc != TERM_ECARD) {
		goto fail;
	}
	ev_emit(t, o, "EF.AD %s, EF.UST %s, EF.LOCI %s (LAI %s)%s%s",
		json_object_get(o, "ad") && json_string_value(json_object_get(o, "ad")) ?
		json_string_value(json_object_get(o, "ad")) : "-",
		json_object_get(o, "ust") ? json_string_value(json_object_get(o, "ust")) : "-",
		json_object_get(o, "loci") ? json_string_value(json_object_get(o, "loci")) : "-",
		json_object_get(o, "lai") ? json_string_value(json_object_get(o, "lai")) : "-",
		json_object_get(o, "m2m") ? "; M2M: " : "",
		json_object_get(o, "m2m") ?
		json_string_value(json_object_get(json_object_get(o, "m2m"), "last_event")) : "");
	o = NULL;
	/* EF.IMSI, TS 31.102 §4.2.2 */
	rc = read_ef(t, 0x6f07, 9);
	o = ev_new(t, "imsi");
	if (rc != 0 || uk_imsi_decode(t->data, t->dlen, t->imsi) != 0) {
		t->imsi[0] = '\0';
		ev_sw(o, t->sw);
		ev_emit(t, o, "EF.IMSI unreadable (SW %04X)", t->sw);
		return rc != 0 && rc != TERM_ECARD ? rc : TERM_ECARD;
	}
	ev_str(o, "imsi", t->imsi);
	if (strlen(t->imsi) >= 3 + t->mnc_len) {
		char m[4];

		snprintf(m, sizeof(m), "%.3s", t->imsi);
		ev_str(o, "mcc", m);
		snprintf(m, sizeof(m), "%.*s", (int)t->mnc_len, t->imsi + 3);
		ev_str(o, "mnc", m);
	}
	ev_emit(t, o, "IMSI %s", t->imsi);
	return 0;
fail:
	json_decref(o);
	return rc;
}

static int power_up(struct term *t, enum term_power how, int new_session)
{
	uint8_t atr[TERM_ATR_MAX];
	size_t atr_len = 0;
	json_t *o;
	int rc;

	if (new_session)
		t->session++;
	t->imsi[0] = '\0';
	t->iccid[0] = '\0';
	t->fetch_len = 0;
	t->refresh = 0;
	rc = t->link->ops->power(t->link->ctx, how, atr, sizeof(atr), &atr_len, t->err,
				 sizeof(t->err));
	o = ev_new(t, "power-up");
	ev_str(o, "reset", how == TERM_POWER_COLD ? "cold" : "warm");
	if (rc != 0) {
		ev_str(o, "error", t->err);
		ev_emit(t, o, "%s: %s", how == TERM_POWER_COLD ? "power-up" : "reset", t->err);
		t->fatal = rc;
		return rc;
	}
	ev_hex(o, "atr", atr, atr_len);
	ev_emit(t, o, "%s, ATR %s", how == TERM_POWER_COLD ? "power-up (cold)" : "reset (warm)",
		json_string_value(json_object_get(o, "atr")));
	rc = cmd_hex(t, "00A40004023F00");
	if (rc != 0)
		return rc;
	if (!sw_ok(t->sw))
		return card_fail(t, "SELECT MF");
	rc = read_ef(t, 0x2fe2, 10);
	o = ev_new(t, "iccid");
	if (rc == 0 && uk_iccid_decode(t->data, t->dlen, t->iccid) == 0) {
		ev_str(o, "iccid", t->iccid);
		ev_emit(t, o, "ICCID %s", t->iccid);
	} else {
		t->iccid[0] = '\0';
		ev_sw(o, t->sw);
		ev_emit(t, o, "EF.ICCID unreadable (SW %04X)", t->sw);
		if (rc != 0 && rc != TERM_ECARD)
			return rc;
	}
	rc = cmd_hex(t, "00A4000C023F00");
	if (rc != 0)
		return rc;
	rc = read_dir(t);
	if (rc != 0)
		return rc;
	return init_app(t);
}

int term_power_up(struct term *t, enum term_power how)
{
	return power_up(t, how, how == TERM_POWER_COLD);
}

/* ------------------------------------------------------------------ */
/* Attach                                                              */

static int attach_result(struct term *t, json_t *o, int ok, const char *reason, int resynced,
			 const char *trigger)
{
	ev_str(o, "imsi", t->imsi);
	ev_str(o, "outcome", ok ? "ok" : "failed");
	if (!ok)
		ev_str(o, "reason", reason);
	json_object_set_new(o, "resync", json_boolean(resynced));
	ev_str(o, "trigger", trigger);
	if (ok) {
		t->st.attaches_ok++;
		ev_emit(t, o, "attach ok: IMSI %s authenticated (RES = XRES%s)", t->imsi,
			resynced ? ", after resynchronisation" : "");
	} else {
		t->st.attaches_failed++;
		ev_emit(t, o, "attach failed: IMSI %s: %s", t->imsi[0] ? t->imsi : "-", reason);
	}
	t->st.last_attach = ok;
	if (t->net != NULL && t->net->ops->result != NULL && t->imsi[0] != '\0')
		t->net->ops->result(t->net->ctx, t->imsi, ok);
	return ok;
}

static int attach_trigger(struct term *t, const char *trigger)
{
	uint8_t a[5 + 1 + 16 + 1 + 16];
	struct term_vector v;
	char why[300], reason[400];
	json_t *o;
	int tries, rc, resynced = 0, ok = 0;

	if (t->net == NULL) {
		o = ev_new(t, "attach");
		ev_str(o, "imsi", t->imsi);
		ev_str(o, "outcome", "skipped");
		ev_str(o, "reason", "no network given");
		ev_str(o, "trigger", trigger);
		ev_emit(t, o, "attach skipped: no network given");
		t->st.last_attach = t->imsi[0] != '\0';
		return t->st.last_attach;
	}
	o = ev_new(t, "attach");
	if (t->imsi[0] == '\0')
		return attach_result(t, o, 0, "no IMSI", 0, trigger);
	memset(&v, 0, sizeof(v));
	for (tries = 0; tries < 2; tries++) {
		rc = t->net->ops->vector(t->net->ctx, t->imsi, &v, why, sizeof(why));
		if (rc == TERM_EUNKNOWN) {
			rc = attach_result(t, o, 0, "IMSI unknown", resynced, trigger);
			goto out;
		}
		if (rc != 0) {
			snprintf(reason, sizeof(reason), "network: %s", why);
			rc = attach_result(t, o, 0, reason, resynced, trigger);
			goto out;
		}
		/* AUTHENTICATE, 3G context: 00 88 00 81 22 10 RAND 10 AUTN
		 * (TS 31.102 §7.1.2.1) */
		memcpy(a, "\x00\x88\x00\x81\x22\x10", 6);
		memcpy(a + 6, v.rand, 16);
		a[22] = 0x10;
		memcpy(a + 23, v.autn, 16);
		rc = cmd(t, a, sizeof(a));
		if (rc != 0) {
			json_decref(o);
			goto out;
		}
		if (sw_ok(t->sw) && t->dlen >= 2 && t->data[0] == 0xdb) {
			/* DB L RES L CK L IK [L Kc] */
			size_t rl = t->data[1];

			ok = rl >= 4 && rl + 2 <= t->dlen && rl == v.xres_len &&
			     CRYPTO_memcmp(t->data + 2, v.xres, rl) == 0;
			rc = attach_result(t, o, ok, ok ? "" : "RES does not match XRES", resynced,
					   trigger);
			goto out;
		}
		if (sw_ok(t->sw) && t->dlen >= 16 && t->data[0] == 0xdc && t->data[1] == 0x0e) {
			json_t *r = ev_new(t, "resync");

			ev_str(r, "imsi", t->imsi);
			ev_hex(r, "rand", v.rand, 16);
			ev_hex(r, "auts", t->data + 2, 14);
			if (tries > 0) {
				ev_str(r, "outcome", "failed");
				ev_emit(t, r, "synchronisation failure again after resync");
				rc = attach_result(t, o, 0, "synchronisation failure after resync",
						   resynced, trigger);
				goto out;
			}
			rc = t->net->ops->resync(t->net->ctx, t->imsi, v.rand, t->data + 2, why,
						 sizeof(why));
			if (rc != 0) {
				ev_str(r, "outcome", "failed");
				ev_emit(t, r, "synchronisation failure: the network refuses AUTS: %s",
					why);
				snprintf(reason, sizeof(reason), "AUTS refused: %s", why);
				rc = attach_result(t, o, 0, reason, resynced, trigger);
				goto out;
			}
			ev_str(r, "outcome", "ok");
			ev_emit(t, r, "synchronisation failure: AUTS verified, the network takes the "
				"card's SQN and tries again");
			t->st.resyncs++;
			resynced = 1;
			OPENSSL_cleanse(&v, sizeof(v));
			continue;
		}
		ev_sw(o, t->sw);
		if (t->sw == 0x9862)
			snprintf(reason, sizeof(reason),
				 "MAC failure (9862): the network's key is not the card's");
		else
			snprintf(reason, sizeof(reason), "AUTHENTICATE answered %04X", t->sw);
		rc = attach_result(t, o, 0, reason, resynced, trigger);
		goto out;
	}
	rc = attach_result(t, o, 0, "no answer", resynced, trigger);
out:
	OPENSSL_cleanse(&v, sizeof(v));
	OPENSSL_cleanse(a, sizeof(a));
	/* the answer held CK/IK */
	OPENSSL_cleanse(t->data, t->dlen);
	OPENSSL_cleanse(t->raw, t->dlen + 2 < TERM_RAPDU_MAX ? t->dlen + 2 : TERM_RAPDU_MAX);
	t->dlen = 0;
	return t->fatal ? t->fatal : rc;
}

/* The power-up stopped (PIN, no USIM, ...): no attach. */
static void powerup_failed(struct term *t, const char *trigger)
{
	json_t *o = ev_new(t, "attach");

	ev_str(o, "imsi", t->imsi);
	ev_str(o, "outcome", "failed");
	ev_str(o, "reason", "power-up failed");
	ev_str(o, "trigger", trigger);
	t->st.attaches_failed++;
	t->st.last_attach = 0;
	ev_emit(t, o, "attach failed: the power-up did not complete");
}

int term_attach(struct term *t)
{
	return attach_trigger(t, "power-up");
}

/* ------------------------------------------------------------------ */
/* REFRESH                                                             */

int term_handle_refresh(struct term *t)
{
	int guard = 0, rc = 0;

	while (t->refresh && guard++ < REFRESH_MAX && t->fatal == 0) {
		uint8_t q = t->refresh_q;
		json_t *o = ev_new(t, "refresh");

		t->refresh = 0;
		t->st.refreshes++;
		json_object_set_new(o, "qualifier", json_integer(q));
		ev_str(o, "mode", refresh_mode(q));
		ev_emit(t, o, "REFRESH: %s: the terminal %s", refresh_mode(q),
			q == 0x04 ? "resets the card and starts again" :
			"initialises the USIM again");
		if (q == 0x04)
			rc = power_up(t, t->o.refresh_cold ? TERM_POWER_COLD : TERM_POWER_WARM, 0);
		else
			rc = init_app(t);
		if (rc == TERM_ECARD) {
			powerup_failed(t, "refresh");
			continue;
		}
		if (rc != 0)
			return rc;
		rc = attach_trigger(t, "refresh");
		if (rc < 0)
			return rc;
	}
	return t->fatal ? t->fatal : 0;
}

/* ------------------------------------------------------------------ */
/* SMS-PP data download                                                */

/* The command packet header (SPI, TAR) in an SMS-DELIVER's user data,
 * when this segment carries it (TS 31.115 §4: UDH 70 00, CPL CHL SPI KIc
 * KID TAR). */
static void note_cmd_header(struct term *t, const uint8_t *tpdu, size_t len)
{
	struct ota_sms_deliver d;
	struct ota_ud_info ui;

	if (ota_sms_deliver_parse(tpdu, len, &d) != 0 || !(d.first & OTA_SMS_FO_UDHI) ||
	    ota_ud_parse(d.ud, d.ud_len, &ui) != 0 || !ui.cpi)
		return;
	if (ui.concat && ui.seq != 1)
		return;
	if (ui.payload_len >= 10) {
		t->cmd_known = 1;
		t->cmd_spi2 = ui.payload[4];
		memcpy(t->cmd_tar, ui.payload + 7, 3);
	}
}

static int deliver_seg(struct term *t, const struct term_msg *m, size_t i)
{
	const struct term_seg *s = &m->seg[i];
	uint8_t env[OTA_ENV_APDU_MAX];
	const uint8_t *tpdu = s->bytes, *data;
	size_t el = 0, tl = s->len, dn;
	struct ota_env_sms_pp e;
	struct ota_sms_deliver d;
	enum ota_env_action act;
	json_t *o;
	int rc;

	if (s->is_envelope) {
		if (s->len > sizeof(env) || ota_env_apdu_data(s->bytes, s->len, &data, &dn) != 0 ||
		    ota_env_sms_pp_parse(data, dn, &e) != 0)
			return TERM_EARG;
		memcpy(env, s->bytes, s->len);
		el = s->len;
		tpdu = e.tpdu;
		tl = e.tpdu_len;
	} else if (ota_env_sms_pp_build(s->bytes, s->len, NULL, 0, env, sizeof(env), &el) != 0) {
		return TERM_EARG;
	}
	o = ev_new(t, "sms");
	json_object_set_new(o, "line", json_integer(m->line));
	json_object_set_new(o, "segment", json_integer((json_int_t)i + 1));
	json_object_set_new(o, "segments", json_integer((json_int_t)m->n_seg));
	if (m->cntr[0])
		ev_str(o, "cntr", m->cntr);
	if (m->imsi[0])
		ev_str(o, "to_imsi", m->imsi);	/* the IMSI the sender addressed */
	if (ota_sms_deliver_parse(tpdu, tl, &d) != 0 ||
	    ota_sms_check_data_download(d.pid, d.dcs) != 0) {
		ev_str(o, "outcome", "not for the UICC");
		ev_emit(t, o, "SMS (line %u) is not a (U)SIM data download: the ME keeps it",
			m->line);
		return 0;
	}
	note_cmd_header(t, tpdu, tl);
	if (t->cmd_known) {
		ev_hex(o, "tar", t->cmd_tar, 3);
	}
	rc = xfer(t, env, el);	/* proactive commands after the PoR */
	if (rc != 0) {
		json_decref(o);
		return rc;
	}
	if ((t->sw >> 8) == 0x9e) {
		/* 9E XX: data download error with data (GET RESPONSE) */
		uint8_t gr[5] = { 0x00, 0xc0, 0x00, 0x00, (uint8_t)t->sw };
		unsigned sw = t->sw;

		rc = xfer(t, gr, sizeof(gr));
		if (rc != 0) {
			json_decref(o);
			return rc;
		}
		t->sw = sw;
	}
	act = ota_env_sw_action((uint16_t)t->sw, NULL, NULL);
	ev_sw(o, t->sw);
	ev_str(o, "outcome", ota_env_action_name(act));
	ev_emit(t, o, "SMS-PP download (line %u, segment %zu/%zu): SW %04X, %s%s%s%s", m->line,
		i + 1, m->n_seg, t->sw, ota_env_action_name(act),
		m->imsi[0] && strcmp(m->imsi, t->imsi) != 0 ? " (addressed to IMSI " : "",
		m->imsi[0] && strcmp(m->imsi, t->imsi) != 0 ? m->imsi : "",
		m->imsi[0] && strcmp(m->imsi, t->imsi) != 0 ? ", not the card's)" : "");
	if (t->dlen > 0 && (act == OTA_ENV_ACT_ACK || act == OTA_ENV_ACT_ACK_FETCH ||
			    act == OTA_ENV_ACT_ERROR_DATA)) {
		uint8_t *copy = malloc(t->dlen);

		if (copy == NULL)
			return TERM_ENOMEM;
		memcpy(copy, t->data, t->dlen);
		rc = por_out(t, copy, t->dlen, "envelope");
		free(copy);
		if (rc != 0)
			return rc;
	}
	return run_proactive(t);
}

int term_deliver(struct term *t, const struct term_msg *m)
{
	size_t i;
	int rc = 0;

	/* the PoR answers the last command packet header seen (a plain file
	 * has the segments of one message on separate lines) */
	for (i = 0; i < m->n_seg && rc == 0; i++)
		rc = deliver_seg(t, m, i);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The run                                                             */

int term_run(struct term *t, const struct term_msgs *msgs)
{
	unsigned s;
	size_t i;
	int rc, last = 0;

	for (s = 1; s <= (t->o.sessions ? t->o.sessions : 1); s++) {
		rc = term_power_up(t, TERM_POWER_COLD);
		if (rc == TERM_ECARD) {
			powerup_failed(t, "power-up");
			last = 0;
			continue;
		}
		if (rc != 0)
			return rc;
		rc = term_attach(t);
		if (rc < 0)
			return rc;
		rc = term_handle_refresh(t);
		if (rc < 0)
			return rc;
		if (s == 1 && msgs != NULL) {
			for (i = 0; i < msgs->n; i++) {
				const struct term_msg *m = &msgs->msg[i];

				if (!term_msg_for(m, t->iccid))
					continue;
				if (t->net != NULL && t->st.last_attach != 1) {
					json_t *o = ev_new(t, "sms");

					json_object_set_new(o, "line", json_integer(m->line));
					ev_str(o, "outcome", "not delivered");
					ev_emit(t, o, "SMS (line %u) not delivered: not attached",
						m->line);
					continue;
				}
				rc = term_deliver(t, m);
				if (rc < 0)
					return rc;
				rc = term_handle_refresh(t);
				if (rc < 0)
					return rc;
			}
		}
		last = t->st.last_attach == 1;
	}
	return t->fatal ? t->fatal : last;
}

/* ------------------------------------------------------------------ */

struct term *term_new(const struct term_link *link, const struct term_net *net,
		      const struct term_opts *o, term_event_fn ev, void *ev_arg)
{
	struct term *t;

	if (link == NULL || link->ops == NULL || o == NULL || o->profile_len > 32)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->raw = malloc(TERM_RAPDU_MAX);
	t->data = malloc(TERM_RAPDU_MAX);
	if (t->raw == NULL || t->data == NULL) {
		term_free(t);
		return NULL;
	}
	t->link = link;
	t->net = net;
	t->o = *o;
	t->ev = ev;
	t->ev_arg = ev_arg;
	t->st.last_rsc = -1;
	t->st.last_attach = -1;
	return t;
}

void term_free(struct term *t)
{
	if (t == NULL)
		return;
	if (t->raw != NULL)
		OPENSSL_cleanse(t->raw, TERM_RAPDU_MAX);
	if (t->data != NULL)
		OPENSSL_cleanse(t->data, TERM_RAPDU_MAX);
	free(t->raw);
	free(t->data);
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

const char *term_imsi(const struct term *t)
{
	return t->imsi;
}

const char *term_iccid(const struct term *t)
{
	return t->iccid;
}

const char *term_error(const struct term *t)
{
	return t->err;
}

void term_get_stats(const struct term *t, struct term_stats *s)
{
	*s = t->st;
}

const uint8_t *term_last_por(const struct term *t, size_t *len)
{
	*len = t->por_len;
	return t->por;
}
