/*
 * fuzz_vpcd.c - the vpcd reader protocol as a network peer would drive it:
 * the input is written into a socketpair as the byte stream coming from
 * pcscd's vpcd driver and served to a personalised default card.
 */
/* fuzz-extra: tools/vpcd.c */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tools/vpcd.h"
#include "uicckit/uicc.h"

static size_t f_on(void *p, uint8_t *atr, size_t cap)
{
	return uicc_power_on(p, atr, cap);
}

static void f_off(void *p)
{
	uicc_power_off(p);
}

static size_t f_tx(void *p, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	return uicc_transmit(p, in, n, out, cap);
}

static const struct uk_vpcd_card ops = { f_on, f_off, f_tx };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	json_t *doc;
	struct uicc *card;
	volatile sig_atomic_t stop = 0;
	struct uk_vpcd_stats st = { 0 };
	char err[128];

	if (size > 60000 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return 0;
	doc = uicc_profile_default();
	card = uicc_new(doc, err, sizeof(err));
	json_decref(doc);
	if (card == NULL)
		abort();
	/* the answers go to sv[1]'s receive buffer, which nobody reads: keep
	 * the input small enough that they fit */
	if (write(sv[1], data, size) == (ssize_t)size) {
		shutdown(sv[1], SHUT_WR);
		(void)uk_vpcd_serve_fd(sv[0], &ops, card, &stop, &st, NULL);
	}
	close(sv[0]);
	close(sv[1]);
	uicc_free(card);
	return 0;
}
