/*
 * apdu-rate - APDU round trips per second through pcscd + vpcd.
 *
 * Serves two cards to a running pcscd whose private reader.conf has the vpcd
 * driver on ports PORT and PORT+1 (bench/apdu-rate.sh sets that up): our
 * personalised card (bound to an image file, as `uicc-card serve` runs it)
 * and a trivial card that answers 9000 at once.  Then it drives both through
 * PC/SC and prints, as `name value` lines, SELECT and READ BINARY rates of
 * our card next to the trivial card's rate, measured in the same run.
 *
 * usage: apdu-rate READER-PREFIX [PORT] [N]
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <PCSC/winscard.h>

#include "tools/vpcd.h"
#include "uicckit/image.h"
#include "uicckit/perso.h"

struct server {
	const struct uk_vpcd_card *ops;
	void *ctx;
	char addr[64];
	volatile sig_atomic_t stop;
	struct uk_vpcd_stats st;
	pthread_t th;
};

static size_t triv_on(void *c, uint8_t *atr, size_t cap)
{
	static const uint8_t a[] = { 0x3b, 0x16, 0x96, 0x41, 0x73, 0x74, 0x72, 0x69, 0x64 };

	(void)c;
	if (cap < sizeof(a))
		return 0;
	memcpy(atr, a, sizeof(a));
	return sizeof(a);
}

static void triv_off(void *c)
{
	(void)c;
}

static size_t triv_tx(void *c, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	(void)c; (void)in; (void)n; (void)cap;
	out[0] = 0x90;
	out[1] = 0x00;
	return 2;
}

static size_t card_on(void *c, uint8_t *atr, size_t cap)
{
	return uicc_power_on(c, atr, cap);
}

static void card_off(void *c)
{
	uicc_power_off(c);
}

static size_t card_tx(void *c, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	return uicc_transmit(c, in, n, out, cap);
}

static const struct uk_vpcd_card triv_ops = { triv_on, triv_off, triv_tx };
static const struct uk_vpcd_card card_ops = { card_on, card_off, card_tx };

static void *serve(void *arg)
{
	struct server *s = arg;

	uk_vpcd_run(s->addr, s->ops, s->ctx, &s->stop, &s->st, NULL);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_reader(SCARDCONTEXT ctx, const char *name, SCARDHANDLE *h)
{
	DWORD proto;
	int i;

	/* the card needs a moment to connect to vpcd after pcscd sees it */
	for (i = 0; i < 100; i++) {
		if (SCardConnect(ctx, name, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0, h, &proto) ==
		    SCARD_S_SUCCESS)
			return 0;
		usleep(100000);
	}
	fprintf(stderr, "apdu-rate: cannot connect to reader '%s'\n", name);
	return -1;
}

/* Round trips per second of n repetitions of one APDU; -1 on error. */
static double rate(SCARDHANDLE h, const uint8_t *apdu, size_t len, int n)
{
	uint8_t rsp[300];
	double t0 = now();
	int i;

	for (i = 0; i < n; i++) {
		DWORD rlen = sizeof(rsp);

		if (SCardTransmit(h, SCARD_PCI_T0, apdu, (DWORD)len, NULL, rsp, &rlen) !=
		    SCARD_S_SUCCESS || rlen < 2)
			return -1;
	}
	return n / (now() - t0);
}

static struct uicc *bench_card(const char *path)
{
	struct uicc_perso p;
	char err[256];
	json_t *doc = uicc_profile_default();
	struct uicc *card = doc ? uicc_new(doc, err, sizeof(err)) : NULL;
	struct uicc_image_store st = { .path = path };

	json_decref(doc);
	if (card == NULL)
		return NULL;
	memset(&p, 0, sizeof(p));
	strcpy(p.iccid, "89882390000000000019");
	strcpy(p.imsi, "001010000000001");
	if (uicc_perso_defaults(&p, 1) != 0 || uicc_perso_apply(card, &p, err, sizeof(err)) != 0 ||
	    uicc_image_save(&st, card) != 0) {
		uicc_perso_cleanse(&p);
		uicc_free(card);
		return NULL;
	}
	uicc_perso_cleanse(&p);
	uicc_free(card);
	return uicc_image_load(path, err, sizeof(err));
}

int main(int argc, char **argv)
{
	static const uint8_t select_mf[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02, 0x3f, 0x00 };
	static const uint8_t select_iccid[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02, 0x2f, 0xe2 };
	static const uint8_t read_iccid[] = { 0x00, 0xb0, 0x00, 0x00, 0x0a };
	const char *prefix = argc > 1 ? argv[1] : "uicckit bench";
	int port = argc > 2 ? atoi(argv[2]) : 40000, n = argc > 3 ? atoi(argv[3]) : 2000;
	char path[] = "/tmp/apdu-rate-XXXXXX", img[64], r0[128], r1[128];
	struct server ours = { .ops = &card_ops }, triv = { .ops = &triv_ops };
	struct uicc_image_store st;
	struct uicc *card;
	SCARDCONTEXT ctx;
	SCARDHANDLE h0, h1;
	double sel = 0, rd = 0, tr = 0;
	uint8_t rsp[300];
	DWORD rlen = sizeof(rsp);
	int round, rc = 1;

	if (mkdtemp(path) == NULL)
		return 1;
	snprintf(img, sizeof(img), "%s/card.json", path);
	card = bench_card(img);
	if (card == NULL) {
		fprintf(stderr, "apdu-rate: cannot build the card\n");
		return 1;
	}
	memset(&st, 0, sizeof(st));
	st.path = img;
	uicc_set_store(card, &uicc_image_store_ops, &st);
	uicc_set_transport(card, UICC_TRANSPORT_T0);
	ours.ctx = card;
	snprintf(ours.addr, sizeof(ours.addr), "127.0.0.1:%d", port);
	snprintf(triv.addr, sizeof(triv.addr), "127.0.0.1:%d", port + 1);
	pthread_create(&ours.th, NULL, serve, &ours);
	pthread_create(&triv.th, NULL, serve, &triv);
	snprintf(r0, sizeof(r0), "%s 00 00", prefix);
	snprintf(r1, sizeof(r1), "%s 00 01", prefix);
	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS) {
		fprintf(stderr, "apdu-rate: pcscd is not running\n");
		goto out;
	}
	if (connect_reader(ctx, r0, &h0) != 0 || connect_reader(ctx, r1, &h1) != 0)
		goto out;
	if (SCardTransmit(h0, SCARD_PCI_T0, select_iccid, sizeof(select_iccid), NULL, rsp,
			  &rlen) != SCARD_S_SUCCESS)
		goto out;
	/* interleave rounds so that drift hits both cards alike; keep the best */
	for (round = 0; round < 3; round++) {
		double a = rate(h1, select_mf, sizeof(select_mf), n);
		double b = rate(h0, select_mf, sizeof(select_mf), n);
		double c;

		rlen = sizeof(rsp);
		SCardTransmit(h0, SCARD_PCI_T0, select_iccid, sizeof(select_iccid), NULL, rsp, &rlen);
		c = rate(h0, read_iccid, sizeof(read_iccid), n);
		if (a < 0 || b < 0 || c < 0) {
			fprintf(stderr, "apdu-rate: transmit failed\n");
			goto out;
		}
		tr = a > tr ? a : tr;
		sel = b > sel ? b : sel;
		rd = c > rd ? c : rd;
	}
	printf("apdu_trivial_per_s %.0f\n", tr);
	printf("apdu_select_per_s %.0f\n", sel);
	printf("apdu_read_binary_per_s %.0f\n", rd);
	printf("apdu_select_ratio_pct %.1f\n", 100.0 * sel / tr);
	printf("apdu_read_binary_ratio_pct %.1f\n", 100.0 * rd / tr);
	SCardDisconnect(h0, SCARD_LEAVE_CARD);
	SCardDisconnect(h1, SCARD_LEAVE_CARD);
	SCardReleaseContext(ctx);
	rc = 0;
out:
	ours.stop = 1;
	triv.stop = 1;
	pthread_join(ours.th, NULL);
	pthread_join(triv.th, NULL);
	uicc_free(card);
	unlink(img);
	rmdir(path);
	return rc;
}
