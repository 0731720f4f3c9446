/*
 * porin.c - PoR file field -> response packet; see ops/porin.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "ops/porin.h"
#include "uicckit/envelope.h"
#include "uicckit/sms.h"

#define SEG_MAX 300
#define SEGS_MAX 16

/* A bare response packet: RPL = len - 2, RHL >= 10 fits. */
static int bare_ok(const uint8_t *p, size_t n)
{
	return n >= 13 && (size_t)(p[0] << 8 | p[1]) == n - 2 && p[2] >= 10 && (size_t)p[2] + 3 <= n;
}

/* User data of a PoR SMS: a UDH with the RPI or a concatenation IE; a
 * single one must hold a consistent packet. */
static int ud_ok(const uint8_t *ud, size_t n)
{
	struct ota_ud_info in;

	if (n < 3 || ota_ud_parse(ud, n, &in) != 0 || (!in.rpi && in.concat == 0) || in.cpi)
		return 0;
	if (in.concat == 0)
		return bare_ok(in.payload, in.payload_len);
	return 1;
}

static int is_sw(const uint8_t *p)
{
	return (p[0] == 0x90 && p[1] == 0x00) || p[0] == 0x91 || p[0] == 0x62 || p[0] == 0x63 ||
	       p[0] == 0x9e;
}

/* One segment's user data (points into b), or 0. */
static int seg_ud(const uint8_t *b, size_t n, const uint8_t **ud, size_t *ud_len)
{
	struct ota_sms_deliver_report r;
	struct ota_sms_submit s;
	size_t k, m;

	for (k = 0; k < 2; k++) {
		/* k = 0: as given; k = 1: without a trailing SW1 SW2 */
		if (k == 1 && (n < 4 || !is_sw(b + n - 2)))
			break;
		m = n - 2 * k;
		if (ud_ok(b, m)) {
			*ud = b;
			*ud_len = m;
			return 1;
		}
		if (m > 0 && b[0] == 0xd0 && ota_cat_send_sms_por(b, m, NULL, ud, ud_len) == 0 &&
		    ud_ok(*ud, *ud_len))
			return 1;
		if (m > 0 && (b[0] & OTA_SMS_FO_MTI_MASK) == 0 && (b[0] & OTA_SMS_FO_UDHI)) {
			int e;

			for (e = 0; e < 2; e++)
				if (ota_sms_deliver_report_parse(b, m, e, &r) == 0 &&
				    ud_ok(r.ud, r.ud_len)) {
					*ud = r.ud;
					*ud_len = r.ud_len;
					return 1;
				}
		}
		if (m > 0 && (b[0] & OTA_SMS_FO_MTI_MASK) == 1 && ota_sms_submit_parse(b, m, &s) == 0 &&
		    ud_ok(s.ud, s.ud_len)) {
			*ud = s.ud;
			*ud_len = s.ud_len;
			return 1;
		}
	}
	return 0;
}

int ops_porin_decode(const char *hex, uint8_t *out, size_t cap, size_t *out_len, char *err,
		     size_t errlen)
{
	static const char sep[] = " ";
	uint8_t seg[SEG_MAX], *mem = NULL;
	struct ota_concat_ctx *cc = NULL;
	char *copy = strdup(hex != NULL ? hex : ""), *tok, *save = NULL;
	int nseg = 0, rc = OPS_EFORMAT, fed = OTA_CONCAT_MORE;
	size_t n, tmp_len = 0;

	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return OPS_EIO;
	}
	for (tok = strtok_r(copy, sep, &save); tok != NULL; tok = strtok_r(NULL, sep, &save)) {
		const uint8_t *ud;
		size_t ud_len;

		if (++nseg > SEGS_MAX) {
			snprintf(err, errlen, "more than %d segments", SEGS_MAX);
			goto out;
		}
		if (uk_hex_decode(tok, seg, sizeof(seg), &n) != 0) {
			snprintf(err, errlen, "segment %d: not hex or longer than %d bytes", nseg,
				 SEG_MAX);
			goto out;
		}
		if (nseg == 1 && save != NULL && strspn(save, sep) == strlen(save)) {
			/* the only segment: may be a bare response packet */
			size_t m = n >= 4 && is_sw(seg + n - 2) && !bare_ok(seg, n) ? n - 2 : n;

			if (bare_ok(seg, m)) {
				if (m > cap)
					break;
				memcpy(out, seg, m);
				*out_len = m;
				rc = 0;
				goto out;
			}
		}
		if (!seg_ud(seg, n, &ud, &ud_len)) {
			snprintf(err, errlen, "segment %d: not a PoR (response packet, PoR user data, "
				 "ENVELOPE answer, DELIVER-REPORT, SUBMIT or FETCH)", nseg);
			goto out;
		}
		if (cc == NULL) {
			cc = malloc(sizeof(*cc));
			mem = malloc(SEGS_MAX * 140);
			if (cc == NULL || mem == NULL) {
				snprintf(err, errlen, "out of memory");
				rc = OPS_EIO;
				goto out;
			}
			ota_concat_init(cc, mem, SEGS_MAX * 140, OTA_IEI_RPI);
		}
		if (fed == OTA_CONCAT_DONE) {
			snprintf(err, errlen, "segment %d: after a complete PoR", nseg);
			goto out;
		}
		fed = ota_concat_feed(cc, ud, ud_len, out, cap, &tmp_len);
		if (fed < 0) {
			snprintf(err, errlen, "segment %d: %s", nseg, ota_sms_strerror(fed));
			goto out;
		}
	}
	if (nseg == 0) {
		snprintf(err, errlen, "empty PoR");
	} else if (rc != 0 && fed == OTA_CONCAT_DONE) {
		*out_len = tmp_len;
		rc = 0;
	} else if (rc != 0 && fed == OTA_CONCAT_MORE) {
		snprintf(err, errlen, "%s", ota_sms_strerror(OTA_CONCAT_E_MISSING));
	} else if (rc != 0) {
		snprintf(err, errlen, "PoR longer than %zu bytes", cap);
	}
out:
	free(copy);
	free(cc);
	free(mem);
	return rc;
}
