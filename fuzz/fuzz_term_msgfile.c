/*
 * fuzz_term_msgfile.c - uicc-term's file parsers: the message file (CSV
 * iccid,imsi,cntr,tpdu|envelope or one hex TPDU/ENVELOPE per line) and the
 * PoR file check (iccid,por).  Every parsed message is walked to its last
 * byte, so a wrong length shows under ASan.
 */
/* fuzz-extra: tools/term_msg.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/term_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct term_msgs m;
	char err[256];
	size_t i, j, k;
	unsigned sum = 0;
	long rows;
	int rc;

	err[0] = '\0';
	rc = term_msgs_parse((const char *)data, size, &m, err, sizeof(err));
	if (rc == 0) {
		for (i = 0; i < m.n; i++) {
			const struct term_msg *x = &m.msg[i];

			if (x->n_seg == 0 || x->n_seg > TERM_MSG_SEG_MAX ||
			    strlen(x->iccid) > 20 || strlen(x->imsi) > 15 || strlen(x->cntr) > 10)
				abort();
			for (j = 0; j < x->n_seg; j++)
				for (k = 0; k < x->seg[j].len; k++)
					sum += x->seg[j].bytes[k];
			(void)term_msg_for(x, "89882390000000000019");
		}
		term_msgs_free(&m);
	} else if (rc == TERM_MSG_EFORMAT && err[0] == '\0') {
		abort();	/* every refusal says why */
	}
	err[0] = '\0';
	rows = term_porfile_check((const char *)data, size, err, sizeof(err));
	if (rows == TERM_MSG_EFORMAT && err[0] == '\0')
		abort();
	(void)sum;
	return 0;
}
