/*
 * fuzz_envelope.c - libFuzzer harness for the ENVELOPE (SMS-PP download)
 * and proactive SEND SHORT MESSAGE parsers (ota/envelope.c).  A parsed
 * ENVELOPE is rebuilt and parsed again; its TPDU must survive.
 */
#include <stdlib.h>
#include <string.h>
#include "uicckit/envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ota_env_sms_pp e, e2;
	struct ota_cat_send_sms p;
	const uint8_t *d, *por;
	uint8_t out[OTA_ENV_APDU_MAX + 8];
	size_t dn, on, pn;

	if (ota_env_apdu_data(data, size, &d, &dn) == 0) {
		if (dn > size)
			abort();
		(void)ota_env_sms_pp_parse(d, dn, &e);
	}
	if (ota_env_sms_pp_parse(data, size, &e) == 0) {
		if (e.tpdu_len > size)
			abort();
		if (ota_env_sms_pp_build(e.tpdu, e.tpdu_len, e.has_addr ? &e.addr : NULL, 0, out,
					 sizeof(out), &on) == 0) {
			if (ota_env_apdu_data(out, on, &d, &dn) != 0 ||
			    ota_env_sms_pp_parse(d, dn, &e2) != 0 || e2.tpdu_len != e.tpdu_len ||
			    memcmp(e2.tpdu, e.tpdu, e.tpdu_len) != 0)
				abort();
		}
	}
	if (ota_cat_send_sms_parse(data, size, &p) == 0 && p.tpdu_len > size)
		abort();
	if (ota_cat_send_sms_por(data, size, NULL, &por, &pn) == 0 && pn > size)
		abort();
	return 0;
}
