/* bench_card.c - card OS throughput: APDUs per second through
 * uicc_transmit() for a file-reading mix (SELECT EF, READ BINARY, READ
 * RECORD) and for VERIFY PIN (two journaled commits each, in-memory store).
 * Prints `name value` lines. */
#include <stdio.h>
#include <time.h>
#include "uicckit/uicc.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int commit_nop(void *ctx, struct uicc *card)
{
	(void)card;
	++*(long *)ctx;
	return 0;
}

int main(void)
{
	static const uint8_t sel_adf[] = { 0x00, 0xa4, 0x04, 0x0c, 0x07, 0xa0, 0x00, 0x00, 0x00,
					   0x87, 0x10, 0x02 };
	static const uint8_t sel_ad[] = { 0x00, 0xa4, 0x00, 0x04, 0x02, 0x6f, 0xad };
	static const uint8_t rd[] = { 0x00, 0xb0, 0x00, 0x00, 0x04 };
	static const uint8_t sel_smsp[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02, 0x6f, 0x42 };
	static const uint8_t rr[] = { 0x00, 0xb2, 0x01, 0x04, 0x28 };
	static const uint8_t pin[] = { 0x00, 0x20, 0x00, 0x01, 0x08, '1', '2', '3', '4',
				       0xff, 0xff, 0xff, 0xff };
	static uint8_t r[UICC_RAPDU_MAX];
	struct uicc_store_ops ops = { commit_nop };
	json_t *p = uicc_profile_default();
	struct uicc *c = uicc_new(p, NULL, 0);
	long commits = 0, i, n = 200000;
	double t0, t1;

	json_decref(p);
	if (c == NULL)
		return 1;
	uicc_set_store(c, &ops, &commits);
	uicc_transmit(c, sel_adf, sizeof(sel_adf), r, sizeof(r));
	uicc_transmit(c, pin, sizeof(pin), r, sizeof(r));
	commits = 0;
	t0 = now();
	for (i = 0; i < n; i++) {
		uicc_transmit(c, sel_ad, sizeof(sel_ad), r, sizeof(r));
		uicc_transmit(c, rd, sizeof(rd), r, sizeof(r));
		uicc_transmit(c, sel_smsp, sizeof(sel_smsp), r, sizeof(r));
		uicc_transmit(c, rr, sizeof(rr), r, sizeof(r));
	}
	t1 = now();
	if (r[0] != 0xff)	/* last READ RECORD returns the SMSP record */
		return 1;
	printf("apdu_read_mix_per_s %.0f\n", 4.0 * (double)n / (t1 - t0));
	n = 50000;
	t0 = now();
	for (i = 0; i < n; i++)
		uicc_transmit(c, pin, sizeof(pin), r, sizeof(r));
	t1 = now();
	printf("verify_pin_per_s %.0f\n", (double)n / (t1 - t0));
	printf("verify_pin_commits_each %.1f\n", (double)commits / (double)n);
	uicc_free(c);
	return 0;
}
