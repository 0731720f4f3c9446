/* cat.c - proactive command queue; see cat.h. */
#include <string.h>

#include "card/cat.h"
#include "common/buf.h"
#include "uicckit/envelope.h"

void uicc_cat_reset(struct uicc_cat *c)
{
	memset(c, 0, sizeof(*c));
	c->number = 1;
}

size_t uicc_cat_pending(const struct uicc_cat *c)
{
	return c->n > 0 && !c->fetched ? c->len[0] : 0;
}

int uicc_cat_supported(const uint8_t *profile, size_t len, uint8_t type)
{
	switch (type) {
	case UICC_CAT_REFRESH:
		return len >= 3 && (profile[2] & 0x80);
	case UICC_CAT_SEND_SMS:
		return len >= 4 && (profile[3] & 0x02);
	default:
		return 0;
	}
}

static int push(struct uicc_cat *c, const uint8_t *cmd, size_t len)
{
	if (c->n >= UICC_CAT_QUEUE || len > UICC_CAT_CMD_MAX)
		return -1;
	memcpy(c->cmd[c->n], cmd, len);
	c->len[c->n++] = len;
	c->number = (uint8_t)(c->number % 0xfe + 1);
	return 0;
}

/* TS 102 223 §6.6.13: D0 L 81 03 nn 01 qq 82 02 81 82 [92 L n paths] */
int uicc_cat_queue_refresh_files(struct uicc_cat *c, uint8_t qualifier, const uint8_t *files,
				 const size_t *path_len, size_t n)
{
	uint8_t cmd[UICC_CAT_CMD_MAX], list[UICC_CAT_CMD_MAX];
	struct uk_buf b, l;
	size_t i, off = 0, mark;
	int needs_list = qualifier == UICC_REFRESH_FCN || qualifier == UICC_REFRESH_NAA_INIT_FCN;

	if (qualifier > UICC_REFRESH_NAA_SESSION_RESET || needs_list != (n > 0) || n > 255)
		return -1;
	uk_buf_init(&l, list, sizeof(list));
	uk_buf_put_u8(&l, n);
	for (i = 0; i < n; i++) {
		/* every path starts at the MF and is whole FIDs */
		if (path_len[i] < 4 || path_len[i] % 2 || files[off] != 0x3f || files[off + 1] != 0x00)
			return -1;
		uk_buf_put(&l, files + off, path_len[i]);
		off += path_len[i];
	}
	uk_buf_init(&b, cmd, sizeof(cmd));
	mark = uk_tlv_open(&b, 0xd0);
	uk_buf_put(&b, (const uint8_t[]){ 0x81, 0x03, c->number, UICC_CAT_REFRESH, qualifier }, 5);
	uk_buf_put(&b, (const uint8_t[]){ 0x82, 0x02, 0x81, 0x82 }, 4);
	if (n > 0 && uk_buf_ok(&l))
		uk_tlv_put(&b, 0x92, list, l.len);
	uk_tlv_close(&b, mark);
	if (!uk_buf_ok(&b) || !uk_buf_ok(&l))
		return -1;
	return push(c, cmd, b.len);
}

int uicc_cat_queue_refresh(struct uicc_cat *c, uint8_t qualifier)
{
	return uicc_cat_queue_refresh_files(c, qualifier, NULL, NULL, 0);
}

int uicc_cat_queue_send_sms(struct uicc_cat *c, const uint8_t *tpdu, size_t tpdu_len)
{
	uint8_t cmd[UICC_CAT_CMD_MAX];
	size_t len = 0;

	/* TS 102 223 §6.6.9, qualifier 00 (packing not required); an empty
	 * alpha identifier asks the terminal to show nothing. */
	if (ota_cat_send_sms_build(c->number, 0x00, (const uint8_t *)"", 0, NULL, tpdu, tpdu_len,
				   cmd, sizeof(cmd), &len) != 0)
		return -1;
	return push(c, cmd, len);
}

size_t uicc_cat_fetch(struct uicc_cat *c, uint8_t *out, size_t cap)
{
	if (c->n == 0 || c->len[0] > cap)
		return 0;
	memcpy(out, c->cmd[0], c->len[0]);
	c->fetched = 1;
	return c->len[0];
}

unsigned uicc_cat_terminal_response(struct uicc_cat *c, const uint8_t *data, size_t len)
{
	struct uk_tlv det;

	if (c->n == 0 || !c->fetched)
		return 0x6f00;
	/* TS 102 223 §6.8: command details (tag 01/81) copied from the command */
	if (uk_ctlv_find(data, len, 0x01, &det) != 1 || det.len != 3)
		return 0x6a80;
	if (det.val[0] != c->cmd[0][4] || det.val[1] != c->cmd[0][5])
		return 0x6a80;
	memmove(c->cmd[0], c->cmd[1], sizeof(c->cmd[0]) * (UICC_CAT_QUEUE - 1));
	memmove(c->len, c->len + 1, sizeof(c->len[0]) * (UICC_CAT_QUEUE - 1));
	c->n--;
	c->fetched = 0;
	return 0x9000;
}
