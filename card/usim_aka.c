/* usim_aka.c - algorithm binding; see usim_aka.h.  Phase 1: no algorithm
 * library is linked yet, so no key set is supported (98 64). */
#include <string.h>
#include "card/usim_aka.h"

int uicc_aka_supported(const struct uicc_keyset *ks)
{
	(void)ks;
	return 0;
}

int uicc_aka_run(const struct uicc_keyset *ks, const uint8_t rand[16], struct uicc_aka_out *o)
{
	(void)ks;
	(void)rand;
	memset(o, 0, sizeof(*o));
	return -1;
}

int uicc_aka_f1(const struct uicc_keyset *ks, const uint8_t rand[16], const uint8_t sqn[6],
		const uint8_t amf[2], uint8_t mac[8])
{
	(void)ks;
	(void)rand;
	(void)sqn;
	(void)amf;
	memset(mac, 0, 8);
	return -1;
}

int uicc_aka_auts(const struct uicc_keyset *ks, const uint8_t rand[16], uint64_t sqn_ms,
		  uint8_t auts[14])
{
	(void)ks;
	(void)rand;
	(void)sqn_ms;
	memset(auts, 0, 14);
	return -1;
}

void uicc_aka_c2(const uint8_t *res, size_t res_len, uint8_t sres[4])
{
	(void)res;
	(void)res_len;
	memset(sres, 0, 4);
}

void uicc_aka_c3(const uint8_t ck[16], const uint8_t ik[16], uint8_t kc[8])
{
	(void)ck;
	(void)ik;
	memset(kc, 0, 8);
}
