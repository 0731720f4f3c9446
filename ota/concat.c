/*
 * concat.c - a secured packet over concatenated SMS (TS 31.115 §4, TS
 * 23.040 §9.2.3.24.1/.8; ota-sms-transport.md §3).
 *
 * Sending: the whole packet (already ciphered and signed) is cut into
 * segments; segment 1 carries `concat IE ‖ 70 00`, later ones the
 * concatenation IE only.  Receiving: the card reassembles (the ME does not
 * for SMS-PP data download) in a caller-owned context; segments may come in
 * any order; duplicates, bad sequence numbers, a changed total, a new
 * reference and over-size sets are reported by name.
 *
 * Contract: see uicckit/sms.h.  No global state.
 */
#include <string.h>
#include "uicckit/sms.h"

#define CONCAT_MAX_SEGS 255

size_t ota_concat_room(int first, int ref16)
{
	/* UDHL(1) + concat IE (5 or 6) [+ CPI 70 00 (2) in segment 1] */
	size_t hdr = 1 + (ref16 ? 6 : 5) + (first ? 2 : 0);

	return OTA_SMS_UD_MAX - hdr;
}

size_t ota_concat_count(size_t len, int ref16)
{
	size_t first = ota_concat_room(1, ref16), later = ota_concat_room(0, ref16);

	if (len + 3 <= OTA_SMS_UD_MAX)
		return 1;
	return 1 + (len - first + later - 1) / later;
}

int ota_concat_split(const uint8_t *pkt, size_t len, uint8_t pi_iei, unsigned ref, int ref16,
		     struct ota_sms_seg *segs, size_t max_segs, size_t *nsegs)
{
	size_t n, i, off = 0;

	if ((pkt == NULL && len > 0) || segs == NULL || nsegs == NULL ||
	    (pi_iei != OTA_IEI_CPI && pi_iei != OTA_IEI_RPI) || ref > (ref16 ? 0xffffu : 0xffu))
		return OTA_SMS_E_ARG;
	n = ota_concat_count(len, ref16);
	if (n > CONCAT_MAX_SEGS || n > max_segs)
		return OTA_CONCAT_E_TOO_MANY;
	if (n == 1) {
		uint8_t *u = segs[0].ud;

		u[0] = 2;
		u[1] = pi_iei;
		u[2] = 0;
		if (len > 0)
			memcpy(u + 3, pkt, len);
		segs[0].len = 3 + len;
		*nsegs = 1;
		return 0;
	}
	for (i = 0; i < n; i++) {
		uint8_t *u = segs[i].ud;
		size_t p = 1, room = ota_concat_room(i == 0, ref16), take;

		/* Concatenation IE first, CPI second (TS 31.115 figure; §6.2). */
		if (ref16) {
			u[p++] = OTA_IEI_CONCAT16;
			u[p++] = 4;
			u[p++] = (uint8_t)(ref >> 8);
		} else {
			u[p++] = OTA_IEI_CONCAT8;
			u[p++] = 3;
		}
		u[p++] = (uint8_t)ref;
		u[p++] = (uint8_t)n;
		u[p++] = (uint8_t)(i + 1);
		if (i == 0) {
			u[p++] = pi_iei;
			u[p++] = 0;
		}
		u[0] = (uint8_t)(p - 1);
		take = len - off < room ? len - off : room;
		memcpy(u + p, pkt + off, take);
		off += take;
		segs[i].len = p + take;
	}
	*nsegs = n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reassembly                                                          */

static void set_clear(struct ota_concat_ctx *c)
{
	c->used = 0;
	c->active = 0;
	c->ref_bits = 0;
	c->ref = 0;
	c->total = 0;
	c->received = 0;
	memset(c->have, 0, sizeof(c->have));
}

void ota_concat_init(struct ota_concat_ctx *c, uint8_t *mem, size_t cap, uint8_t pi_iei)
{
	memset(c, 0, sizeof(*c));
	c->mem = mem;
	/* offsets are 16-bit: 255 segments of 140 octets fit well below that */
	c->cap = mem == NULL ? 0 : cap > 0xffff ? 0xffff : cap;
	c->pi_iei = pi_iei;
	c->restart_on_new_ref = 1;
}

void ota_concat_reset(struct ota_concat_ctx *c)
{
	set_clear(c);
	c->head_len = 0;
}

static int has_seq(const struct ota_concat_ctx *c, unsigned seq)
{
	return c->have[seq >> 3] >> (seq & 7) & 1;
}

/* The CPI (or RPI) the context expects, and not the other one. */
static int check_pi(const struct ota_concat_ctx *c, const struct ota_ud_info *in)
{
	int want = c->pi_iei == OTA_IEI_RPI ? in->rpi : in->cpi;
	int other = c->pi_iei == OTA_IEI_RPI ? in->cpi : in->rpi;

	if (other)
		return OTA_SMS_E_CPI_RPI;
	return want ? 0 : OTA_SMS_E_NO_PI;
}

static int assemble(struct ota_concat_ctx *c, uint8_t *out, size_t outcap, size_t *out_len)
{
	size_t pos = 0;
	unsigned s;

	if (out == NULL || c->used > outcap) {
		set_clear(c);
		return OTA_CONCAT_E_SIZE;
	}
	for (s = 1; s <= c->total; s++) {
		memcpy(out + pos, c->mem + c->off[s], c->seglen[s]);
		pos += c->seglen[s];
	}
	*out_len = pos;
	set_clear(c);
	return OTA_CONCAT_DONE;
}

int ota_concat_feed(struct ota_concat_ctx *c, const uint8_t *ud, size_t len, uint8_t *out,
		    size_t outcap, size_t *out_len)
{
	struct ota_ud_info in;
	int rc, ret = OTA_CONCAT_MORE;

	if (c == NULL || out_len == NULL)
		return OTA_SMS_E_ARG;
	rc = ota_ud_parse(ud, len, &in);
	if (rc < 0)
		return rc;
	if (!in.concat) {
		rc = check_pi(c, &in);
		if (rc < 0)
			return rc;
		if (out == NULL || in.payload_len > outcap)
			return OTA_CONCAT_E_SIZE;
		memcpy(out, in.payload, in.payload_len);
		*out_len = in.payload_len;
		return OTA_CONCAT_DONE;
	}
	if (in.seq == 1) {
		rc = check_pi(c, &in);
		if (rc < 0)
			return rc;
	}
	if (c->active && (c->ref_bits != in.concat || c->ref != in.ref)) {
		/* onomondo-uicc restarts on a new reference; the old set
		 * cannot complete any more (ota-sms-transport §3). */
		if (!c->restart_on_new_ref)
			return OTA_CONCAT_E_REF;
		set_clear(c);
		ret = OTA_CONCAT_E_REF;
	}
	if (c->active && c->total != in.total) {
		set_clear(c);
		return OTA_CONCAT_E_TOTAL;
	}
	if (c->active && has_seq(c, in.seq))
		return OTA_CONCAT_E_DUP;
	if (!c->active) {
		c->active = 1;
		c->ref_bits = in.concat;
		c->ref = in.ref;
		c->total = in.total;
		c->head_len = 0;
	}
	if (in.seq == 1) {
		c->head_len = (uint8_t)(in.payload_len < sizeof(c->head) ? in.payload_len
									  : sizeof(c->head));
		memcpy(c->head, in.payload, c->head_len);
	}
	if (in.payload_len > c->cap - c->used) {
		set_clear(c);
		return OTA_CONCAT_E_SIZE;
	}
	if (in.payload_len > 0)
		memcpy(c->mem + c->used, in.payload, in.payload_len);
	c->off[in.seq] = (uint16_t)c->used;
	c->seglen[in.seq] = (uint8_t)in.payload_len;
	c->used += in.payload_len;
	c->have[in.seq >> 3] = (uint8_t)(c->have[in.seq >> 3] | 1u << (in.seq & 7));
	c->received++;
	if (c->received == c->total) {
		rc = assemble(c, out, outcap, out_len);
		return rc < 0 ? rc : OTA_CONCAT_DONE;
	}
	return ret;
}

int ota_concat_pending(const struct ota_concat_ctx *c, unsigned *first_missing)
{
	unsigned s;

	if (c == NULL || !c->active)
		return 0;
	for (s = 1; s <= c->total; s++)
		if (!has_seq(c, s)) {
			if (first_missing != NULL)
				*first_missing = s;
			break;
		}
	return OTA_CONCAT_E_MISSING;
}
