/*
 * deliver.c - campaign messages to cards in PC/SC readers; see
 * ops/deliver.h.  APDU handling: TS 102 221 §7.3 (61xx GET RESPONSE, 6Cxx
 * Le), TS 102 223 §6 / TS 31.111 §7.1.1 (ENVELOPE SMS-PP download, 91xx
 * FETCH, TERMINAL RESPONSE, REFRESH).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <PCSC/winscard.h>
#include <openssl/crypto.h>

#include "common/bcd.h"
#include "common/buf.h"
#include "common/hex.h"
#include "ops/campaign.h"
#include "ops/deliver.h"
#include "uicckit/envelope.h"

#define RMAX 512
#define POR_HEX_MAX 2048

struct link {
	SCARDHANDLE h;
	const SCARD_IO_REQUEST *pci;
	uint8_t r[RMAX];
	size_t rlen;		/* data, without SW */
	unsigned sw;
};

static const char *pcsc_err(LONG rv)
{
	return pcsc_stringify_error(rv);
}

/* One APDU with 61xx / 9Fxx GET RESPONSE and 6Cxx handled. */
static int xmit(struct link *l, const uint8_t *apdu, size_t n)
{
	uint8_t cmd[300], buf[RMAX];
	DWORD blen;
	LONG rv;
	int guard;

	if (n > sizeof(cmd))
		return -1;
	memcpy(cmd, apdu, n);
	l->rlen = 0;
	for (guard = 0; guard < 16; guard++) {
		blen = sizeof(buf);
		rv = SCardTransmit(l->h, l->pci, cmd, (DWORD)n, NULL, buf, &blen);
		if (rv != SCARD_S_SUCCESS || blen < 2)
			return -1;
		l->sw = (unsigned)buf[blen - 2] << 8 | buf[blen - 1];
		if (blen - 2 + l->rlen > sizeof(l->r))
			return -1;
		memcpy(l->r + l->rlen, buf, blen - 2);
		l->rlen += blen - 2;
		if ((l->sw >> 8) == 0x61 || (l->sw >> 8) == 0x9f) {
			/* GET RESPONSE, CLA of the basic channel */
			memcpy(cmd, "\x00\xc0\x00\x00", 4);
			cmd[4] = (uint8_t)l->sw;
			n = 5;
			continue;
		}
		if ((l->sw >> 8) == 0x6c && n >= 5) {
			cmd[n - 1] = (uint8_t)l->sw;	/* case 2: the right Le */
			if (n != 5)
				return 0;
			continue;
		}
		return 0;
	}
	return -1;
}

static int read_iccid(struct link *l, char iccid[21])
{
	static const uint8_t sel_mf[] = { 0x00, 0xa4, 0x00, 0x04, 0x02, 0x3f, 0x00 };
	static const uint8_t sel_iccid[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02, 0x2f, 0xe2 };
	static const uint8_t rd[] = { 0x00, 0xb0, 0x00, 0x00, 0x0a };

	if (xmit(l, sel_mf, sizeof(sel_mf)) != 0 || l->sw != 0x9000 ||
	    xmit(l, sel_iccid, sizeof(sel_iccid)) != 0 || l->sw != 0x9000 ||
	    xmit(l, rd, sizeof(rd)) != 0 || l->sw != 0x9000 || l->rlen != 10)
		return -1;
	return uk_iccid_decode(l->r, 10, iccid);
}

/* Append the PoR bytes in p as one more hex segment. */
static void por_add(char *hex, size_t cap, const uint8_t *p, size_t n)
{
	size_t used = strlen(hex);

	if (n == 0 || used + (used ? 1 : 0) + 2 * n + 1 > cap)
		return;
	if (used)
		hex[used++] = ' ';
	uk_hex_encode(p, n, hex + used);
}

/* FETCH loop while the card has proactive commands (91xx). */
static int proactive(struct link *l, char *por, size_t cap, int *reset)
{
	int guard;

	for (guard = 0; guard < 8 && (l->sw >> 8) == 0x91; guard++) {
		uint8_t fetch[5] = { 0x80, 0x12, 0x00, 0x00, 0x00 }, tr[64], cmd[RMAX];
		struct uk_tlv d0, det;
		size_t pos = 0, cn, tl;
		const uint8_t *ud;
		size_t ud_len;
		uint8_t ok = 0x00;

		fetch[4] = (uint8_t)l->sw;
		if (xmit(l, fetch, 5) != 0 || l->sw != 0x9000)
			return -1;
		cn = l->rlen;
		memcpy(cmd, l->r, cn);
		if (uk_tlv_next(cmd, cn, &pos, &d0) != 1 || d0.tag != 0xd0 ||
		    uk_ctlv_find(d0.val, d0.len, 0x01, &det) != 1 || det.len < 3)
			return -1;
		if (det.val[1] == 0x01) {
			/* REFRESH: the terminal resets the card (UICC reset mode) */
			DWORD proto = 0;

			if (SCardReconnect(l->h, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
					   SCARD_RESET_CARD, &proto) != SCARD_S_SUCCESS)
				return -1;
			l->pci = proto == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
			*reset = 1;
			return 0;
		}
		if (det.val[1] == OTA_CAT_CMD_SEND_SMS &&
		    ota_cat_send_sms_por(cmd, cn, NULL, &ud, &ud_len) == 0)
			por_add(por, cap, ud, ud_len);
		if (ota_cat_terminal_response_build(det.val[0], det.val[1], det.val[2], &ok, 1, tr,
						    sizeof(tr), &tl) != 0 ||
		    xmit(l, tr, tl) != 0)
			return -1;
	}
	return 0;
}

struct sendctx {
	struct ops_db *db;
	const struct ops_send_params *p;
	struct ops_send_result *r;
	struct ops_campaign c;
	struct ops_msg *m;
	char *err;
	size_t errlen;
};

static void report(const struct sendctx *s, const char *reader, const char *iccid,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void report(const struct sendctx *s, const char *reader, const char *iccid,
		   const char *fmt, ...)
{
	char text[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (s->p->report != NULL)
		s->p->report(s->p->report_ctx, reader, iccid, text);
}

/* One card: returns <0 only for database errors (the run stops). */
static int one_card(struct sendctx *s, SCARDCONTEXT ctx, const char *reader)
{
	static const uint8_t tp[] = { 0x80, 0x10, 0x00, 0x00, 0x04, 0x03, 0x00, 0x80, 0x02 };
	struct link l;
	struct ops_por_outcome o;
	DWORD proto = 0;
	LONG rv;
	uint8_t env[16 * (OTA_ENV_APDU_MAX + 1)];
	size_t el = 0, pos;
	char iccid[21] = "", *por = NULL;
	int rc = 0, reset = 0;

	memset(&l, 0, sizeof(l));
	rv = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
			  &l.h, &proto);
	if (rv != SCARD_S_SUCCESS) {
		s->r->errors++;
		report(s, reader, NULL, "error: connect: %s", pcsc_err(rv));
		return 0;
	}
	l.pci = proto == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
	if (read_iccid(&l, iccid) < 0) {
		s->r->errors++;
		report(s, reader, NULL, "error: cannot read EF.ICCID (SW %04X)", l.sw);
		goto out;
	}
	rc = ops_db_msg_get(s->db, s->c.id, iccid, s->m, s->err, s->errlen);
	if (rc == OPS_ENOTFOUND) {
		rc = 0;
		s->r->nomsg++;
		report(s, reader, iccid, "no message in campaign %s", s->c.name);
		goto out;
	}
	if (rc != 0)
		goto out;
	if (s->m->state == OPS_MSG_DONE) {
		s->r->already++;
		report(s, reader, iccid, "already done");
		goto out;
	}
	if ((s->m->state == OPS_MSG_SENT || s->m->state == OPS_MSG_FAILED) && !s->p->resend) {
		s->r->skipped++;
		report(s, reader, iccid, "%s before: not sent again (--resend sends the same packet)",
		       ops_msg_state_name(s->m->state));
		goto out;
	}
	if (ops_msg_envelopes(s->m, env, sizeof(env), &el) != 0) {
		s->r->errors++;
		report(s, reader, iccid, "error: message cannot be rendered");
		goto out;
	}
	/* recorded as sent, committed, before anything reaches the card */
	rc = ops_db_msg_set_state(s->db, s->m, OPS_MSG_SENT, -1, s->err, s->errlen);
	if (rc != 0)
		goto out;
	por = calloc(1, POR_HEX_MAX);
	if (por == NULL) {
		rc = OPS_EIO;
		snprintf(s->err, s->errlen, "out of memory");
		goto out;
	}
	if (xmit(&l, tp, sizeof(tp)) != 0 || (l.sw != 0x9000 && (l.sw >> 8) != 0x91)) {
		s->r->errors++;
		report(s, reader, iccid, "error: TERMINAL PROFILE (SW %04X); message stays sent", l.sw);
		goto out;
	}
	for (pos = 0; pos < el; pos += 1 + env[pos]) {
		if (xmit(&l, env + pos + 1, env[pos]) != 0) {
			s->r->errors++;
			report(s, reader, iccid, "error: ENVELOPE not transmitted; message stays sent");
			goto out;
		}
		/* the PoR in the ENVELOPE response (DELIVER-REPORT), SW 90 00 / 91 XX */
		if ((l.sw == 0x9000 || (l.sw >> 8) == 0x91) && l.rlen > 0)
			por_add(por, POR_HEX_MAX, l.r, l.rlen);
		if (proactive(&l, por, POR_HEX_MAX, &reset) != 0) {
			s->r->errors++;
			report(s, reader, iccid, "error: proactive session failed");
			break;
		}
		if (reset)
			break;
	}
	if (por[0] == '\0') {
		s->r->nopor++;
		report(s, reader, iccid, "sent (counter %010llx), no PoR: stays sent",
		       (unsigned long long)s->m->cntr);
		goto out;
	}
	rc = ops_db_begin(s->db, s->err, s->errlen);
	if (rc == 0)
		rc = ops_por_apply(s->db, &s->c, s->m, por, &o, s->err, s->errlen);
	if (rc == 0)
		rc = ops_db_commit(s->db, s->err, s->errlen);
	if (rc != 0) {
		ops_db_rollback(s->db);
		goto out;
	}
	if (o.verdict == OPS_POR_DONE)
		s->r->done++;
	else
		s->r->failed++;
	report(s, reader, iccid, "%s: %s%s", o.verdict == OPS_POR_DONE ? "done" : "failed", o.why,
	       reset ? "; card reset (REFRESH)" : "");
out:
	free(por);
	SCardDisconnect(l.h, SCARD_LEAVE_CARD);
	return rc;
}

int ops_send(struct ops_db *db, const struct ops_send_params *p, struct ops_send_result *r,
	     char *err, size_t errlen)
{
	struct sendctx s;
	SCARDCONTEXT ctx;
	LONG rv;
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&s, 0, sizeof(s));
	s.db = db;
	s.p = p;
	s.r = r;
	s.err = err;
	s.errlen = errlen;
	rc = ops_db_campaign_get(db, p->campaign, &s.c, err, errlen);
	if (rc != 0)
		return rc;
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
	if (rv != SCARD_S_SUCCESS) {
		snprintf(err, errlen, "PC/SC: %s", pcsc_err(rv));
		return OPS_EIO;
	}
	s.m = malloc(sizeof(*s.m));
	if (s.m == NULL) {
		SCardReleaseContext(ctx);
		snprintf(err, errlen, "out of memory");
		return OPS_EIO;
	}
	for (i = 0; rc == 0 && i < p->nreaders; i++)
		rc = one_card(&s, ctx, p->readers[i]);
	OPENSSL_cleanse(s.m, sizeof(*s.m));
	free(s.m);
	SCardReleaseContext(ctx);
	return rc;
}
