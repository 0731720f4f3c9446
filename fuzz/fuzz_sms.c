/*
 * fuzz_sms.c - libFuzzer harness for the TS 23.040 TPDU, address and UDH
 * parsers (ota/sms.c, ota/udh.c).  Invariant checked: an SMS-DELIVER with
 * 8-bit user data that parses rebuilds to the same bytes.
 */
#include <stdlib.h>
#include <string.h>
#include "uicckit/sms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ota_sms_deliver d;
	struct ota_sms_submit s;
	struct ota_sms_deliver_report r;
	struct ota_ud_info info;
	struct ota_sms_addr a;
	uint8_t out[OTA_SMS_TPDU_MAX + 16];
	size_t used, on;

	if (ota_sms_deliver_parse(data, size, &d) == 0) {
		if (d.ud_len > size)
			abort();
		if (d.ud_len <= OTA_SMS_UD_MAX &&
		    ota_sms_deliver_build(&d, out, sizeof(out), &on) == 0 &&
		    (on != size || memcmp(out, data, size) != 0))
			abort();
		if (ota_ud_parse(d.ud, d.ud_len, &info) == 0 && info.payload_len > d.ud_len)
			abort();
	}
	if (ota_sms_submit_parse(data, size, &s) == 0 && s.ud_len > size)
		abort();
	(void)ota_sms_deliver_report_parse(data, size, 0, &r);
	(void)ota_sms_deliver_report_parse(data, size, 1, &r);
	if (ota_sms_addr_decode_tp(data, size, &a, &used) == 0 && used > size)
		abort();
	(void)ota_sms_addr_decode_rp(data, size, &a);
	if (ota_ud_parse(data, size, &info) == 0 && info.payload_len > size)
		abort();
	return 0;
}
