/*
 * ota_recv.c - the card's OTA receiver (TS 31.115 / TS 102 225 / TS 102 226):
 * ENVELOPE (SMS-PP download) -> SMS-DELIVER -> (reassembled) command packet
 * -> checks in the order of TS 102 225 §5 -> counter committed -> RFM
 * script run on a remote session, all its writes committed together or not
 * at all -> PoR in the ENVELOPE response or by proactive SEND SHORT MESSAGE.
 *
 * A packet that fails any check changes nothing and gets either no PoR or a
 * plain one (RHL 0A, CNTR 0, no RC/CC, not ciphered): never a PoR
 * computed with the card's keys (the 2013 single-DES OTA attack).
 */
#include <string.h>
#include <openssl/crypto.h>

#include "card/m2m_int.h"
#include "card/txn.h"
#include "common/buf.h"
#include "uicckit/envelope.h"
#include "uicckit/hooks.h"
#include "uicckit/keyset.h"
#include "uicckit/por.h"
#include "uicckit/rfm.h"

#define POR_MAX 512
#define SCRIPT_OUT_MAX 1024

struct script_result {
	int ok;				/* every command succeeded */
	unsigned n;			/* commands executed, the failing one included */
	unsigned sw;			/* last status word */
	uint8_t data[256];		/* last response data */
	size_t dlen;
	/* expanded format: every R-APDU */
	struct ota_rfm_rapdu ra[32];
	uint8_t ra_mem[2048];
	size_t ra_used;
	int bad_format;			/* expanded: -1 or 01/02/03 */
};

/* TS 102 226 §6: what an RFM script may not do. */
static int forbidden(uint8_t cla, uint8_t ins)
{
	if (cla == 0x80 || (cla & 0xf0) == 0xa0)
		return ins != 0xf2 && ins != 0x32;	/* STATUS, INCREASE */
	return ins == 0x88 || ins == 0x89 || ins == 0x70 || ins == 0x73 || ins == 0x84;
}

/* rfm.md §2.2: 90 00, 91 XX, 61 XX and the warnings 62 XX / 63 XX go on;
 * 63 CX (a PIN that failed) and everything else stop the script. */
static int sw_continues(unsigned sw)
{
	unsigned s1 = sw >> 8;

	if (s1 == 0x90 || s1 == 0x91 || s1 == 0x61 || s1 == 0x62)
		return 1;
	return s1 == 0x63 && (sw & 0xf0) != 0xc0;
}

static void record(struct script_result *res, int expanded, const uint8_t *r, size_t rlen)
{
	size_t dl = rlen - 2;

	res->n++;
	res->sw = (unsigned)r[rlen - 2] << 8 | r[rlen - 1];
	res->dlen = dl < sizeof(res->data) ? dl : sizeof(res->data);
	memcpy(res->data, r, res->dlen);
	if (expanded && res->n <= 32 && res->ra_used + dl <= sizeof(res->ra_mem)) {
		memcpy(res->ra_mem + res->ra_used, r, dl);
		res->ra[res->n - 1].data = res->ra_mem + res->ra_used;
		res->ra[res->n - 1].len = dl;
		res->ra[res->n - 1].sw = (uint16_t)res->sw;
		res->ra_used += dl;
	}
}

/* One command of the script; returns 1 to go on, 0 to stop. */
static int run_one(struct uicc *card, struct uicc_m2m *m, struct uicc_remote *rs, struct uicc_m2m_switch *sw,
		   const uint8_t *apdu, size_t len, int expanded, struct script_result *res)
{
	static const uint8_t refused[2] = { 0x6d, 0x00 };
	uint8_t *r = m->rbuf;
	size_t rlen;
	unsigned verdict;

	if (len < 4 || forbidden(apdu[0], apdu[1])) {
		record(res, expanded, refused, 2);
		return 0;
	}
	rlen = uicc_transmit_remote(card, rs, apdu, len, r, UICC_RAPDU_MAX);
	/* an UPDATE of EF.KEYIDX is the switch: refuse it on the spot */
	verdict = uicc_m2m_check_keyidx(card, sw);
	if (verdict == 0)
		verdict = uicc_m2m_check_keyxfer(card, sw);
	if (verdict != 0) {
		uint8_t v[2] = { (uint8_t)(verdict >> 8), (uint8_t)verdict };

		record(res, expanded, v, 2);
		return 0;
	}
	record(res, expanded, r, rlen);
	return sw_continues(res->sw);
}

static void run_script(struct uicc *card, struct uicc_m2m *m, uint32_t tar, const uint8_t *s, size_t len,
		       struct uicc_m2m_switch *sw, struct script_result *res)
{
	static const uint8_t adm1 = 0x0a;
	/* TS 102 226 §5: an ADF RFM instance starts with its ADF selected */
	static const uint8_t sel_usim[] = { 0x00, 0xa4, 0x04, 0x0c, 0x07, 0xa0, 0x00, 0x00,
					    0x00, 0x87, 0x10, 0x02 };
	struct uicc_remote *rs = uicc_remote_new(card, &adm1, 1);
	int expanded = ota_rfm_detect_format(s, len) == OTA_RFM_EXPANDED;

	res->ok = 0;
	res->bad_format = -1;
	if (rs == NULL) {
		res->sw = 0x6f00;
		return;
	}
	if (ota_tar_kind(tar) != ota_tar_kind(OTA_TAR_RFM_UICC))
		(void)uicc_transmit_remote(card, rs, sel_usim, sizeof(sel_usim), m->rbuf,
					   UICC_RAPDU_MAX);
	if (!expanded) {
		size_t pos = 0;
		struct ota_capdu c;
		int rc;

		while ((rc = ota_rfm_compact_next(s, len, &pos, &c)) == 1)
			if (!run_one(card, m, rs, sw, c.raw, c.raw_len, 0, res))
				goto done;
		if (rc < 0) {
			/* trailing bytes that are no command: a format error */
			res->sw = 0x6700;
			goto done;
		}
	} else {
		struct ota_rfm_iter it;
		struct ota_rfm_item item;
		int rc = ota_rfm_expanded_open(s, len, &it);

		while (rc == 0 && (rc = ota_rfm_expanded_next(&it, &item)) == 1) {
			if (item.tag != OTA_RFM_TAG_CAPDU) {
				res->bad_format = 0x01;	/* tag we do not support */
				goto done;
			}
			if (!run_one(card, m, rs, sw, item.apdu.raw, item.apdu.raw_len, 1, res))
				goto done;
		}
		if (rc < 0) {
			res->bad_format = ota_rfm_bad_format_code(rc);
			goto done;
		}
	}
	res->ok = 1;
done:
	uicc_remote_free(rs);
}

static int por_data(const struct script_result *res, int expanded, uint8_t *out, size_t cap,
		    size_t *len)
{
	if (expanded)
		return ota_rfm_exp_resp_build(res->ra, res->n <= 32 ? res->n : 32, res->bad_format,
					      out, cap, len);
	return ota_rfm_compact_resp_build((uint8_t)res->n, (uint16_t)res->sw, res->data,
					  res->dlen, out, cap, len);
}

/* Send the PoR user data the way SPI2 b6 asks: ENVELOPE response (DELIVER-
 * REPORT) or a proactive SEND SHORT MESSAGE to the command's originator. */
static int deliver(struct uicc *card, struct uicc_m2m *m, const uint8_t spi2,
		   const struct ota_sms_deliver *d, const uint8_t *por, size_t porlen,
		   uint8_t *out, size_t cap, size_t *outlen)
{
	size_t tp_len = 0;
	const uint8_t *tp = uicc_terminal_profile(card, &tp_len);

	if ((spi2 & 0x20) && uicc_cat_supported(tp, tp_len, UICC_CAT_SEND_SMS)) {
		struct ota_sms_submit sub;
		uint8_t tpdu[OTA_SMS_TPDU_MAX];
		size_t n = 0;

		ota_sms_submit_init(&sub);
		sub.da = d->oa;
		sub.pid = OTA_SMS_PID_DATA_DOWNLOAD;
		sub.dcs = OTA_SMS_DCS_CLASS2_8BIT;
		sub.ud = por;
		sub.ud_len = porlen;
		sub.udl = (uint8_t)porlen;
		if (porlen <= OTA_SMS_UD_MAX &&
		    ota_sms_submit_build(&sub, tpdu, sizeof(tpdu), &n) == 0 &&
		    uicc_cat_queue_send_sms(&m->cat, tpdu, n) == 0)
			return 0x9000;
	}
	if (porlen > cap)
		return 0x6f00;
	memcpy(out, por, porlen);
	*outlen = porlen;
	return 0x9000;
}

/* A failed packet: a plain PoR if SPI2 asks for one (always or on error). */
static int reject(struct uicc *card, struct uicc_m2m *m, const struct ota_cmd_hdr *h,
		  const struct ota_sms_deliver *d, uint8_t rsc, uint8_t *out, size_t cap,
		  size_t *outlen)
{
	uint8_t por[32];
	int n;

	if ((h->spi[1] & 0x03) == 0x00 || (h->spi[1] & 0x03) == 0x03)
		return 0x9000;
	n = ota_por_build_cx(NULL, h, NULL, rsc, NULL, 0, por, sizeof(por));
	if (n <= 0)
		return 0x9000;
	return deliver(card, m, h->spi[1], d, por, (size_t)n, out, cap, outlen);
}

static void keys_of(const struct uicc_keyset *ks, struct ota_keys *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->kic_key, ks->kic, ks->kic_len);
	k->kic_key_len = ks->kic_len;
	memcpy(k->kid_key, ks->kid, ks->kid_len);
	k->kid_key_len = ks->kid_len;
}

/* Does EF.IMSI differ from what it held before the script? */
static int imsi_changed(const struct uicc *card, const uint8_t before[9])
{
	uint8_t now[9];

	if (uicc_admin_read_binary(card, "ADF.USIM/6F07", 0, now, sizeof(now)) != 0)
		return 0;
	return memcmp(now, before, sizeof(now)) != 0;
}

static int process_packet(struct uicc *card, struct uicc_m2m *m, const struct ota_sms_deliver *d,
			  const uint8_t *pkt, size_t plen, uint8_t *out, size_t cap, size_t *outlen)
{
	uint8_t *work = m->work;
	struct ota_cmd_hdr h;
	struct ota_cmd cmd;
	struct ota_keys k;
	struct uicc_keyset ks;
	struct uicc_m2m_switch sw = { .requested = -1 };
	struct script_result res;
	uint8_t rsc, por[POR_MAX], rdata[SCRIPT_OUT_MAX];
	size_t rdlen = 0, mark;
	uint32_t tar;
	int active, n, rc, ret;

	memset(&h, 0, sizeof(h));
	if (plen >= 10)
		memcpy(h.tar, pkt + 7, 3), h.spi[0] = pkt[3], h.spi[1] = pkt[4];
	rc = ota_cmd_parse_header(pkt, plen, &h, &rsc);
	if (rc != 0)
		return plen >= 10 ? reject(card, m, &h, d, rsc, out, cap, outlen) : 0x9000;
	tar = ota_tar_get(h.tar);
	if (tar != OTA_TAR_RFM_UICC && tar != OTA_TAR_RFM_ADF && tar != OTA_TAR_RFM_USIM_ALIAS)
		return reject(card, m, &h, d, OTA_RSC_TAR_UNKNOWN, out, cap, outlen);
	/* only the key set in use answers: its key version, its algorithms */
	active = uicc_m2m_read_keyidx(card);
	if (active < 0 || uicc_keyset_get(card, (unsigned)active, &ks) != 0 ||
	    ks.state != UICC_KS_ACTIVE)
		return reject(card, m, &h, d, OTA_RSC_SECURITY_ERROR, out, cap, outlen);
	if ((h.kic >> 4) != ks.kvn || (h.kid >> 4) != ks.kvn ||
	    (h.kic & 0x0f) != (ks.kic_alg & 0x0f) || (h.kid & 0x0f) != (ks.kid_alg & 0x0f)) {
		uicc_keyset_cleanse(&ks);
		return reject(card, m, &h, d, OTA_RSC_SECURITY_ERROR, out, cap, outlen);
	}
	rsc = ota_msl_check(UICC_M2M_MSL, h.spi);
	if (rsc != OTA_RSC_OK) {
		uicc_keyset_cleanse(&ks);
		return reject(card, m, &h, d, rsc, out, cap, outlen);
	}
	keys_of(&ks, &k);
	rc = ota_cmd_unwrap_cx(m->cx, pkt, plen, &h, &k, work, sizeof(m->work), &cmd, &rsc);
	if (rc == 0)
		rsc = ota_cntr_check(h.spi, uk_get_be(ks.cntr, 5), cmd.hdr.cntr);
	if (rc != 0 || rsc != OTA_RSC_OK) {
		OPENSSL_cleanse(&k, sizeof(k));
		uicc_keyset_cleanse(&ks);
		OPENSSL_cleanse(work, sizeof(m->work));
		return reject(card, m, &h, d, rsc, out, cap, outlen);
	}
	/* TS 102 225 §5.1.3.4: the counter is consumed before any command
	 * runs, and persisted, so the packet can never be replayed. */
	uk_put_be(ks.cntr, cmd.hdr.cntr, 5);
	if (uicc_keyset_put(card, &ks, 0) != 0 || uicc_txn_flush(card) != 0) {
		ret = 0x6581;
		goto out;
	}
	sw.active = active;
	if (uicc_admin_read_binary(card, "ADF.USIM/6F07", 0, sw.imsi, 9) != 0)
		memset(sw.imsi, 0xff, 9);
	memset(&res, 0, sizeof(res));
	mark = card->jrnl_n;
	run_script(card, m, tar, cmd.data, cmd.dlen, &sw, &res);
	if (!res.ok || uicc_m2m_apply_switch(card, &sw) != 0) {
		/* all commands of one packet commit together or not at all */
		uicc_txn_rollback_to(card, mark);
		sw.requested = -1;
		res.ok = 0;
	}
	if (por_data(&res, ota_rfm_detect_format(cmd.data, cmd.dlen) == OTA_RFM_EXPANDED, rdata,
		     sizeof(rdata), &rdlen) != 0)
		rdlen = 0;
	ret = 0x9000;
	if ((h.spi[1] & 0x03) == 0x01 || ((h.spi[1] & 0x03) == 0x02 && !res.ok)) {
		cmd.hdr.spi[0] = h.spi[0];
		n = ota_por_build_cx(m->cx, &cmd.hdr, &k, OTA_RSC_OK, rdata, rdlen, por, sizeof(por));
		if (n > 0)
			ret = deliver(card, m, h.spi[1], d, por, (size_t)n, out, cap, outlen);
	}
	/* TS 102 223 §6.4.7: after the PoR, REFRESH (UICC reset) makes the
	 * terminal read the new IMSI -- after a key-set switch (3b), and after
	 * a script that changed EF.IMSI alone (3a keeps the key set) */
	if (sw.requested >= 0 || (res.ok && imsi_changed(card, sw.imsi))) {
		size_t tp_len = 0;
		const uint8_t *tp = uicc_terminal_profile(card, &tp_len);

		if (uicc_cat_supported(tp, tp_len, UICC_CAT_REFRESH))
			(void)uicc_cat_queue_refresh(&m->cat, UICC_REFRESH_UICC_RESET);
	}
out:
	OPENSSL_cleanse(&k, sizeof(k));
	uicc_keyset_cleanse(&ks);
	OPENSSL_cleanse(work, sizeof(m->work));
	return ret;
}

int uicc_ota_envelope(struct uicc *card, struct uicc_m2m *m, const uint8_t *data, size_t len,
		      uint8_t *out, size_t cap, size_t *outlen)
{
	uint8_t *pkt = m->pkt;
	struct ota_env_sms_pp e;
	struct ota_sms_deliver d;
	struct uk_tlv t;
	size_t pos = 0, plen = 0;
	int rc;

	if (data == NULL || uk_tlv_next(data, len, &pos, &t) != 1)
		return 0x6a80;
	if (t.tag != 0xd1)
		return 0x9000;	/* event download etc.: nothing to do here */
	if (ota_env_sms_pp_parse(data, len, &e) != 0 ||
	    ota_sms_deliver_parse(e.tpdu, e.tpdu_len, &d) != 0)
		return 0x6a80;
	/* TS 31.111 §7.1.1: only (U)SIM data download reaches the card */
	if (ota_sms_check_data_download(d.pid, d.dcs) != 0)
		return 0x6a80;
	rc = ota_concat_feed(&m->concat, d.ud, d.ud_len, pkt, sizeof(m->pkt), &plen);
	if (rc == OTA_CONCAT_MORE)
		return 0x9000;
	if (rc == OTA_CONCAT_E_SIZE && m->concat.head_len >= 10) {
		struct ota_cmd_hdr h;

		memset(&h, 0, sizeof(h));
		h.spi[0] = m->concat.head[3];
		h.spi[1] = m->concat.head[4];
		memcpy(h.tar, m->concat.head + 7, 3);
		return reject(card, m, &h, &d, OTA_RSC_NO_MEMORY, out, cap, outlen);
	}
	if (rc != OTA_CONCAT_DONE)
		return rc == OTA_SMS_E_NO_PI ? 0x6a80 : 0x9000;
	return process_packet(card, m, &d, pkt, plen, out, cap, outlen);
}
