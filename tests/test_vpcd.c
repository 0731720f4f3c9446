/*
 * test_vpcd.c - the vpcd protocol over a socketpair with the real card:
 * control codes (power on/off, reset, ATR), APDU frames, framing errors
 * and stop; plus the pure frame handler.
 */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/cardtest.h"
#include "tools/vpcd.h"

struct ctx {
	struct uicc *card;
	int on, off;
};

static size_t c_on(void *p, uint8_t *atr, size_t cap)
{
	struct ctx *c = p;

	c->on++;
	return uicc_power_on(c->card, atr, cap);
}

static void c_off(void *p)
{
	struct ctx *c = p;

	c->off++;
	uicc_power_off(c->card);
}

static size_t c_tx(void *p, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	return uicc_transmit(((struct ctx *)p)->card, in, n, out, cap);
}

static const struct uk_vpcd_card ops = { c_on, c_off, c_tx };

struct server {
	int fd;
	struct ctx *ctx;
	volatile sig_atomic_t stop;
	struct uk_vpcd_stats st;
	int rc;
};

static void *serve(void *arg)
{
	struct server *s = arg;

	s->rc = uk_vpcd_serve_fd(s->fd, &ops, s->ctx, &s->stop, &s->st, NULL);
	return NULL;
}

static void send_frame(int fd, const uint8_t *p, size_t n)
{
	uint8_t hdr[2] = { (uint8_t)(n >> 8), (uint8_t)n };

	/* length and payload in separate writes, as Debian's vpcd does */
	ck_assert_int_eq(write(fd, hdr, 2), 2);
	if (n > 0)
		ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
}

static size_t recv_frame(int fd, uint8_t *p, size_t cap)
{
	uint8_t hdr[2];
	size_t n, got = 0;

	ck_assert_int_eq(read(fd, hdr, 2), 2);
	n = (size_t)hdr[0] << 8 | hdr[1];
	ck_assert_uint_le(n, cap);
	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);

		ck_assert_int_gt(r, 0);
		got += (size_t)r;
	}
	return n;
}

START_TEST(session_over_socketpair)
{
	int sv[2];
	struct ctx c = { ct_card(), 0, 0 };
	struct server s = { 0 };
	pthread_t th;
	uint8_t buf[512], ctl;
	static const uint8_t select_mf[] = { 0x00, 0xa4, 0x00, 0x04, 0x02, 0x3f, 0x00 };
	size_t n;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	s.fd = sv[0];
	s.ctx = &c;
	ck_assert_int_eq(pthread_create(&th, NULL, serve, &s), 0);

	ctl = UK_VPCD_POWER_ON;
	send_frame(sv[1], &ctl, 1);
	ctl = UK_VPCD_GET_ATR;
	send_frame(sv[1], &ctl, 1);
	n = recv_frame(sv[1], buf, sizeof(buf));
	ck_assert_uint_eq(n, 22);
	ck_assert_uint_eq(buf[0], 0x3b);
	/* T=0 is the card's mode on a reader: SELECT with FCP gives 61xx */
	uicc_set_transport(c.card, UICC_TRANSPORT_T0);
	send_frame(sv[1], select_mf, sizeof(select_mf));
	n = recv_frame(sv[1], buf, sizeof(buf));
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(buf[0], 0x61);
	ctl = UK_VPCD_RESET;
	send_frame(sv[1], &ctl, 1);
	uicc_set_transport(c.card, UICC_TRANSPORT_DIRECT);
	send_frame(sv[1], select_mf, sizeof(select_mf));
	n = recv_frame(sv[1], buf, sizeof(buf));
	ck_assert_uint_gt(n, 2);
	ck_assert_uint_eq(buf[0], 0x62);
	ck_assert_uint_eq(buf[n - 2], 0x90);
	/* a 2-byte frame is not an APDU: the card answers 6700, never nothing */
	send_frame(sv[1], select_mf, 2);
	n = recv_frame(sv[1], buf, sizeof(buf));
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(buf[0], 0x67);
	ctl = UK_VPCD_POWER_OFF;
	send_frame(sv[1], &ctl, 1);
	close(sv[1]);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(s.rc, 0);	/* peer closed */
	ck_assert_uint_eq(s.st.apdus, 3);
	ck_assert_int_eq(c.on, 2);
	ck_assert_int_eq(c.off, 1);
	close(sv[0]);
	uicc_free(c.card);
}
END_TEST

START_TEST(stop_flag_and_truncated_frame)
{
	int sv[2];
	struct ctx c = { ct_card(), 0, 0 };
	struct server s = { 0 };
	pthread_t th;
	uint8_t partial[3] = { 0x00, 0x07, 0x00 };

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	s.fd = sv[0];
	s.ctx = &c;
	ck_assert_int_eq(pthread_create(&th, NULL, serve, &s), 0);
	/* a frame cut in the middle, then the peer goes away */
	ck_assert_int_eq(write(sv[1], partial, sizeof(partial)), 3);
	close(sv[1]);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(s.rc, -1);
	close(sv[0]);

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	s.fd = sv[0];
	s.rc = 99;
	ck_assert_int_eq(pthread_create(&th, NULL, serve, &s), 0);
	s.stop = 1;
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(s.rc, 1);
	close(sv[0]);
	close(sv[1]);
	uicc_free(c.card);
}
END_TEST

START_TEST(handler_edges)
{
	struct ctx c = { ct_card(), 0, 0 };
	struct uk_vpcd_stats st = { 0 };
	uint8_t atr[33], *out = malloc(UK_VPCD_OUT_MAX), ctl = 0x77;
	size_t atr_len = 0;
	int powered = 0;

	ck_assert_int_eq(uk_vpcd_handle(&ops, &c, &powered, atr, &atr_len, &ctl, 0, out,
					UK_VPCD_OUT_MAX, &st), -1);
	ck_assert_int_eq(uk_vpcd_handle(&ops, &c, &powered, atr, &atr_len, &ctl, 1, out,
					UK_VPCD_OUT_MAX, &st), 0);
	ctl = UK_VPCD_GET_ATR;	/* ATR before power-on powers the card */
	ck_assert_int_eq(uk_vpcd_handle(&ops, &c, &powered, atr, &atr_len, &ctl, 1, out,
					UK_VPCD_OUT_MAX, &st), 22);
	ck_assert_int_eq(powered, 1);
	ck_assert_mem_eq(out, atr, 22);
	free(out);
	uicc_free(c.card);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vpcd");
	TCase *tc = tcase_create("protocol");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, session_over_socketpair);
	tcase_add_test(tc, stop_flag_and_truncated_frame);
	tcase_add_test(tc, handler_edges);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
