/* cardtest.c - see cardtest.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/hex.h"
#include "tests/cardtest.h"
#include "uicckit/keyset.h"

struct uicc *ct_card(void)
{
	json_t *p = uicc_profile_default();
	char err[256];
	struct uicc *c;

	if (p == NULL)
		return NULL;
	c = uicc_new(p, err, sizeof(err));
	if (c == NULL)
		fprintf(stderr, "uicc_new: %s\n", err);
	json_decref(p);
	return c;
}

unsigned ct_send(struct uicc *card, const char *capdu_hex, char *out, size_t cap)
{
	static uint8_t c[70000], r[UICC_RAPDU_MAX];
	size_t n = 0, rn;

	if (uk_hex_decode(capdu_hex, c, sizeof(c), &n) != 0) {
		fprintf(stderr, "bad hex in test: %s\n", capdu_hex);
		abort();
	}
	rn = uicc_transmit(card, c, n, r, sizeof(r));
	if (out != NULL && cap > 2 * rn)
		uk_hex_encode(r, rn, out);
	else if (out != NULL && cap > 0)
		out[0] = '\0';
	return rn >= 2 ? (unsigned)(r[rn - 2] << 8 | r[rn - 1]) : 0;
}

int ct_match(const char *want, const char *got)
{
	while (*want != '\0') {
		if (isspace((unsigned char)*want)) {
			want++;
			continue;
		}
		if (*want == '*')
			return 1;
		if (got[0] == '\0' || got[1] == '\0')
			return 0;
		if (want[0] == '?' && want[1] == '?') {
			/* any byte */
		} else if (tolower((unsigned char)want[0]) != got[0] ||
			   tolower((unsigned char)want[1]) != got[1]) {
			return 0;
		}
		want += 2;
		got += 2;
	}
	return *got == '\0';
}

int ct_expect(struct uicc *card, const char *capdu_hex, const char *want)
{
	static char got[2 * 70000];

	ct_send(card, capdu_hex, got, sizeof(got));
	if (ct_match(want, got))
		return 1;
	fprintf(stderr, "APDU %s\n  want %s\n  got  %s\n", capdu_hex, want, got);
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* "keyset milenage|xor K-hex OPc-hex SQN-hex": make key set 0 active
 * with that key, and set the SQN array so that SQN is the next fresh value
 * in its IND slot (5 IND bits). */
static int directive_keyset(struct uicc *card, char *args)
{
	char alg[16], k[65], opc[65], sqn[13];
	struct uicc_keyset ks;
	uint64_t slots[UICC_SQN_SLOTS], v;
	uint8_t b[6];
	int rc;

	if (sscanf(args, "%15s %64s %64s %12s", alg, k, opc, sqn) != 4)
		return -1;
	memset(&ks, 0, sizeof(ks));
	ks.state = UICC_KS_ACTIVE;
	ks.alg = strcmp(alg, "xor") == 0 ? UICC_ALG_XOR : UICC_ALG_MILENAGE;
	ks.k_len = 16;
	ks.opc_len = 16;
	ks.op_is_opc = 1;
	ks.ind_len = 5;
	if (uk_hex_decode_exact(k, ks.k, 16) != 0 || uk_hex_decode_exact(opc, ks.opc, 16) != 0 ||
	    uk_hex_decode_exact(sqn, b, 6) != 0)
		return -1;
	rc = uicc_keyset_put(card, &ks, 1);
	uicc_keyset_cleanse(&ks);
	if (rc < 0)
		return rc;
	v = 0;
	for (rc = 0; rc < 6; rc++)
		v = v << 8 | b[rc];
	memset(slots, 0, sizeof(slots));
	slots[v & 31] = v - 32;
	return uicc_sqn_put(card, 0, slots, 5);
}

int ct_transcript(const char *name)
{
	const char *src = getenv("UK_SRCDIR");
	char path[4096], line[8192];
	struct uicc *card = ct_card();
	FILE *f;
	int fails = 0, lineno = 0;
	uint8_t atr[UICC_ATR_MAX];

	snprintf(path, sizeof(path), "%s/tests/transcripts/%s", src ? src : ".", name);
	f = fopen(path, "r");
	if (f == NULL || card == NULL) {
		if (f)
			fclose(f);
		uicc_free(card);
		return -1;
	}
	uicc_power_on(card, atr, sizeof(atr));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = trim(line), *arrow;

		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		if (strcmp(s, "reset") == 0) {
			uicc_power_on(card, atr, sizeof(atr));
			continue;
		}
		if (strcmp(s, "transport t0") == 0) {
			uicc_set_transport(card, UICC_TRANSPORT_T0);
			continue;
		}
		if (strcmp(s, "transport direct") == 0) {
			uicc_set_transport(card, UICC_TRANSPORT_DIRECT);
			continue;
		}
		if (strncmp(s, "keyset ", 7) == 0) {
			if (directive_keyset(card, s + 7) < 0) {
				fprintf(stderr, "%s:%d: bad keyset line\n", name, lineno);
				fails++;
			}
			continue;
		}
		arrow = strstr(s, "->");
		if (arrow == NULL) {
			fprintf(stderr, "%s:%d: no '->'\n", name, lineno);
			fails++;
			continue;
		}
		*arrow = '\0';
		if (!ct_expect(card, trim(s), trim(arrow + 2))) {
			fprintf(stderr, "%s:%d: mismatch\n", name, lineno);
			fails++;
		}
	}
	fclose(f);
	uicc_free(card);
	return fails;
}
