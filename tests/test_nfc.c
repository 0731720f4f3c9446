/*
 * test_nfc.c - the NFC serve loop driven by a scripted fake device and a
 * fake card: APDU answer, field loss / re-selection, stop, device errors,
 * oversize and malformed answers; the libnfc backend's no-device path when
 * built with libnfc; the real card (SELECT MF) when libukcard is linked.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "tools/nfc_serve.h"
#ifdef HAVE_LIBNFC
#include "tools/nfc_libnfc.h"
#endif
#ifdef UK_TEST_REAL_CARD
#include "uicckit/uicc.h"
#endif

/* ---- fake device: each device call consumes the next scripted event ---- */

enum ev_kind {
	EV_ACTIVATE,	/* init_target: reader activated, no frame yet */
	EV_FRAME,	/* init_target/receive: a frame (hex) */
	EV_TIMEOUT,	/* init_target/receive: UK_NFC_ETIMEOUT */
	EV_ERR,		/* init_target/receive/send: error code err */
	EV_STOP,	/* "SIGINT": sets *stop, the call returns EABORTED */
	EV_SEND_OK,	/* send succeeds (implicit when the next event is not
			 * a send event) */
};

struct ev {
	enum ev_kind kind;
	const char *hex;
	int err;
};

#define MAX_SENT 16

struct fake_dev {
	const struct ev *script;
	size_t n, pos;
	volatile sig_atomic_t *stop;
	unsigned inits, receives, sends;
	struct uk_nfc_target last_target;
	uint8_t sent[MAX_SENT][300];
	size_t sent_len[MAX_SENT];
	size_t nsent;
	int send_err_next;	/* EV_ERR directly after an answered frame */
};

static const struct ev *next_ev(struct fake_dev *d)
{
	static const struct ev end = { EV_STOP, NULL, 0 };

	/* A script that runs out stops the loop, so no test can hang. */
	return d->pos < d->n ? &d->script[d->pos++] : &end;
}

static int frame_out(const struct ev *e, uint8_t *buf, size_t cap)
{
	size_t n = 0;

	ck_assert_int_eq(uk_hex_decode(e->hex, buf, cap, &n), 0);
	return (int)n;
}

static int fake_init(void *dev, const struct uk_nfc_target *tgt,
		     uint8_t *buf, size_t cap, int timeout_ms)
{
	struct fake_dev *d = dev;
	const struct ev *e = next_ev(d);

	(void)timeout_ms;
	d->inits++;
	d->last_target = *tgt;
	switch (e->kind) {
	case EV_ACTIVATE: return 0;
	case EV_FRAME: return frame_out(e, buf, cap);
	case EV_TIMEOUT: return UK_NFC_ETIMEOUT;
	case EV_ERR: return e->err;
	case EV_STOP: *d->stop = 1; return UK_NFC_EABORTED;
	default: ck_abort_msg("unexpected event %d in init_target", e->kind);
	}
	return UK_NFC_EDEVICE;
}

static int fake_receive(void *dev, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct fake_dev *d = dev;
	const struct ev *e = next_ev(d);

	(void)timeout_ms;
	d->receives++;
	switch (e->kind) {
	case EV_FRAME: return frame_out(e, buf, cap);
	case EV_TIMEOUT: return UK_NFC_ETIMEOUT;
	case EV_ERR: return e->err;
	case EV_STOP: *d->stop = 1; return UK_NFC_EABORTED;
	default: ck_abort_msg("unexpected event %d in receive", e->kind);
	}
	return UK_NFC_EDEVICE;
}

/* send() consumes an event only when the script puts EV_SEND_OK or an
 * EV_ERR marked as a send error (err with hex "send") next. */
static int fake_send(void *dev, const uint8_t *buf, size_t len, int timeout_ms)
{
	struct fake_dev *d = dev;

	(void)timeout_ms;
	d->sends++;
	if (d->pos < d->n && d->script[d->pos].kind == EV_ERR &&
	    d->script[d->pos].hex && !strcmp(d->script[d->pos].hex, "send"))
		return d->script[d->pos++].err;
	if (d->pos < d->n && d->script[d->pos].kind == EV_SEND_OK)
		d->pos++;
	ck_assert_uint_lt(d->nsent, MAX_SENT);
	ck_assert_uint_le(len, sizeof d->sent[0]);
	memcpy(d->sent[d->nsent], buf, len);
	d->sent_len[d->nsent++] = len;
	return 0;
}

static const struct uk_nfc_dev_ops fake_dev_ops = {
	.init_target = fake_init,
	.receive = fake_receive,
	.send = fake_send,
	.frame_max = 262,
};

/* ---- fake card: answers [session, apdu# in session, 90 00] ---- */

struct fake_card {
	int powered;
	unsigned session, in_session;
	char events[64];	/* '+' power on, '-' power off, 'A' APDU */
	size_t nev;
	size_t last_len;
};

static void card_event(struct fake_card *c, char e)
{
	ck_assert_uint_lt(c->nev, sizeof c->events - 1);
	c->events[c->nev++] = e;
	c->events[c->nev] = '\0';
}

static size_t fake_power_on(void *card, uint8_t *atr, size_t cap)
{
	static const uint8_t a[] = { 0x3B, 0x02, 0x14, 0x50 };
	struct fake_card *c = card;

	ck_assert_uint_ge(cap, sizeof a);
	memcpy(atr, a, sizeof a);
	c->powered = 1;
	c->session++;
	c->in_session = 0;
	card_event(c, '+');
	return sizeof a;
}

static void fake_power_off(void *card)
{
	struct fake_card *c = card;

	ck_assert_msg(c->powered, "power off of an unpowered card");
	c->powered = 0;
	card_event(c, '-');
}

static size_t fake_transmit(void *card, const uint8_t *capdu, size_t len,
			    uint8_t *rapdu, size_t cap)
{
	struct fake_card *c = card;

	ck_assert_msg(c->powered, "APDU to an unpowered card");
	ck_assert_uint_eq(cap, UK_NFC_RAPDU_MAX);
	card_event(c, 'A');
	c->in_session++;
	c->last_len = len;
	if (len < 4) {			/* not an APDU: wrong length */
		rapdu[0] = 0x67;
		rapdu[1] = 0x00;
		return 2;
	}
	if (capdu[1] == 0xB0 && len == 7) {	/* extended READ BINARY */
		size_t le = (size_t)capdu[5] << 8 | capdu[6];

		memset(rapdu, 0xAA, le);
		rapdu[le] = 0x90;
		rapdu[le + 1] = 0x00;
		return le + 2;
	}
	if (capdu[1] == 0xEE)		/* broken card: 1-byte answer */
		return 1;
	rapdu[0] = (uint8_t)c->session;
	rapdu[1] = (uint8_t)c->in_session;
	rapdu[2] = 0x90;
	rapdu[3] = 0x00;
	return 4;
}

static const struct uk_nfc_card_ops fake_card_ops = {
	.power_on = fake_power_on,
	.power_off = fake_power_off,
	.transmit = fake_transmit,
};

/* ---- helpers ---- */

struct run {
	struct fake_dev dev;
	struct fake_card card;
	struct uk_nfc_stats stats;
	volatile sig_atomic_t stop;
	int rc;
};

static void run_script(struct run *r, const struct ev *script, size_t n,
		       const struct uk_nfc_serve_opts *opts)
{
	memset(r, 0, sizeof *r);
	r->dev.script = script;
	r->dev.n = n;
	r->dev.stop = &r->stop;
	r->rc = uk_nfc_serve(&fake_card_ops, &r->card, &fake_dev_ops, &r->dev,
			     opts, &r->stop, &r->stats);
}

static void assert_sent(const struct run *r, size_t i, const char *hex)
{
	uint8_t want[300];
	size_t n = 0;

	ck_assert_int_eq(uk_hex_decode(hex, want, sizeof want, &n), 0);
	ck_assert_msg(i < r->dev.nsent, "response %zu was not sent", i);
	ck_assert_uint_eq(r->dev.sent_len[i], n);
	ck_assert_msg(!memcmp(r->dev.sent[i], want, n),
		      "response %zu differs from %s", i, hex);
}

#define RUN(r, s, o) run_script((r), (s), sizeof(s) / sizeof((s)[0]), (o))

/* ---- tests ---- */

START_TEST(answers_apdus_then_stops)
{
	static const struct ev s[] = {
		{ EV_ACTIVATE, NULL, 0 },
		{ EV_FRAME, "00A40004023F00", 0 },
		{ EV_FRAME, "00B0000002", 0 },
		{ EV_STOP, NULL, 0 },
	};
	struct run r;

	RUN(&r, s, NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.dev.nsent, 2);
	assert_sent(&r, 0, "01019000");
	assert_sent(&r, 1, "01029000");
	ck_assert_str_eq(r.card.events, "+AA-");
	ck_assert_uint_eq(r.stats.sessions, 1);
	ck_assert_uint_eq(r.stats.apdus, 2);
	ck_assert_uint_eq(r.stats.releases, 0);
	ck_assert_int_eq(r.stop, 1);
}
END_TEST

START_TEST(first_frame_from_init_target)
{
	/* Devices that pass the first I-block with the activation. */
	static const struct ev s[] = {
		{ EV_FRAME, "00A40004023F00", 0 },
		{ EV_FRAME, "00C0000000", 0 },
	};
	struct run r;

	RUN(&r, s, NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.dev.nsent, 2);
	assert_sent(&r, 0, "01019000");
	assert_sent(&r, 1, "01029000");
	ck_assert_str_eq(r.card.events, "+AA-");
}
END_TEST

START_TEST(field_loss_powers_off_and_reselect_powers_on)
{
	static const struct ev s[] = {
		{ EV_ACTIVATE, NULL, 0 },
		{ EV_FRAME, "00A40004023F00", 0 },
		{ EV_FRAME, "00A40004022FE2", 0 },
		{ EV_ERR, NULL, UK_NFC_ERELEASED },	/* field lost */
		{ EV_TIMEOUT, NULL, 0 },		/* no reader yet */
		{ EV_ACTIVATE, NULL, 0 },		/* re-selection */
		{ EV_FRAME, "00A40004023F00", 0 },
		{ EV_STOP, NULL, 0 },
	};
	struct run r;

	RUN(&r, s, NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(r.card.events, "+AA-+A-");
	ck_assert_uint_eq(r.dev.nsent, 3);
	assert_sent(&r, 0, "01019000");
	assert_sent(&r, 1, "01029000");
	/* fresh card session: the APDU count restarted */
	assert_sent(&r, 2, "02019000");
	ck_assert_uint_eq(r.stats.sessions, 2);
	ck_assert_uint_eq(r.stats.releases, 1);
	ck_assert_uint_eq(r.stats.apdus, 3);
	ck_assert_uint_eq(r.dev.inits, 3);
}
END_TEST

START_TEST(rf_errors_end_the_session_like_field_loss)
{
	/* A send the reader never took (timeout) and a receive that failed
	 * with an RF-level error both end the card session. */
	static const struct ev s[] = {
		{ EV_ACTIVATE, NULL, 0 },
		{ EV_FRAME, "00A40004023F00", 0 },
		{ EV_ERR, "send", UK_NFC_ETIMEOUT },
		{ EV_ACTIVATE, NULL, 0 },
		{ EV_FRAME, "00A40004023F00", 0 },
		{ EV_ERR, "send", UK_NFC_ERELEASED },
		{ EV_ACTIVATE, NULL, 0 },
		{ EV_FRAME, "00A40004023F00", 0 },
		{ EV_STOP, NULL, 0 },
	};
	struct run r;

	RUN(&r, s, NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(r.card.events, "+A-+A-+A-");
	ck_assert_uint_eq(r.stats.sessions, 3);
	ck_assert_uint_eq(r.stats.releases, 2);
	ck_assert_uint_eq(r.stats.apdus, 1);
	ck_assert_uint_eq(r.dev.nsent, 1);
	assert_sent(&r, 0, "03019000");
}
END_TEST

START_TEST(idle_reader_keeps_the_session)
{
	static const struct ev s[] = {
		{ EV_ACTIVATE, NULL, 0 },
		{ EV_TIMEOUT, NULL, 0 },
		{ EV_ERR, NULL, UK_NFC_EABORTED },	/* spurious, no stop */
		{ EV_TIMEOUT, NULL, 0 },
		{ EV_FRAME, "00A40004023F00", 0 },
		{ EV_STOP, NULL, 0 },
	};
	struct run r;

	RUN(&r, s, NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(r.card.events, "+A-");
	assert_sent(&r, 0, "01019000");
	ck_assert_uint_eq(r.stats.sessions, 1);
	ck_assert_uint_eq(r.stats.releases, 0);
}
END_TEST

START_TEST(stop_while_armed_never_powers_the_card)
{
	static const struct ev s[] = {
		{ EV_TIMEOUT, NULL, 0 },
		{ EV_STOP, NULL, 0 },
	};
	struct run r;

	RUN(&r, s, NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(r.card.events, "");
	ck_assert_uint_eq(r.dev.inits, 2);
	ck_assert_uint_eq(r.stats.sessions, 0);
}
END_TEST

START_TEST(stop_already_set_touches_nothing)
{
	struct fake_dev dev;
	struct fake_card card;
	volatile sig_atomic_t stop = 1;

	memset(&dev, 0, sizeof dev);
	memset(&card, 0, sizeof card);
	dev.stop = &stop;
	ck_assert_int_eq(uk_nfc_serve(&fake_card_ops, &card, &fake_dev_ops,
				      &dev, NULL, &stop, NULL), 0);
	ck_assert_uint_eq(dev.inits, 0);
	ck_assert_str_eq(card.events, "");
}
END_TEST

START_TEST(device_failure_in_session_is_fatal_and_powers_off)
{
	static const struct ev s[] = {
		{ EV_ACTIVATE, NULL, 0 },
		{ EV_FRAME, "00A40004023F00", 0 },
		{ EV_ERR, NULL, UK_NFC_EDEVICE },	/* unplugged */
		{ EV_ACTIVATE, NULL, 0 },		/* must not be reached */
	};
	struct run r;

	RUN(&r, s, NULL);
	ck_assert_int_eq(r.rc, UK_NFC_EDEVICE);
	ck_assert_str_eq(r.card.events, "+A-");
	ck_assert_uint_eq(r.dev.inits, 1);
	ck_assert_int_eq(r.stop, 0);
}
END_TEST

START_TEST(frame_longer_than_buffer_is_a_device_error)
{
	/* A backend claiming more bytes than the buffer holds must not make
	 * the loop read past it. */
	static const struct ev s[] = {
		{ EV_ACTIVATE, NULL, 0 },
		{ EV_ERR, NULL, UK_NFC_CAPDU_MAX + 1 },
	};
	struct run r;

	RUN(&r, s, NULL);
	ck_assert_int_eq(r.rc, UK_NFC_EDEVICE);
	ck_assert_str_eq(r.card.events, "+-");
	ck_assert_uint_eq(r.dev.nsent, 0);
}
END_TEST

START_TEST(init_failures_give_up_after_limit)
{
	static const struct ev s[] = {
		{ EV_ERR, NULL, UK_NFC_EDEVICE },
		{ EV_ERR, NULL, UK_NFC_EDEVICE },
		{ EV_ACTIVATE, NULL, 0 },		/* resets the count */
		{ EV_ERR, NULL, UK_NFC_ERELEASED },
		{ EV_ERR, NULL, UK_NFC_EDEVICE },
		{ EV_TIMEOUT, NULL, 0 },		/* not a failure */
		{ EV_ERR, NULL, UK_NFC_EDEVICE },
		{ EV_ERR, NULL, UK_NFC_EDEVICE },
		{ EV_ACTIVATE, NULL, 0 },		/* never reached */
	};
	struct run r;

	RUN(&r, s, NULL);
	ck_assert_int_eq(r.rc, UK_NFC_EDEVICE);
	ck_assert_uint_eq(r.dev.inits, 7);
	ck_assert_str_eq(r.card.events, "+-");
	ck_assert_uint_eq(r.stats.sessions, 1);
}
END_TEST

START_TEST(unsupported_device_fails_at_once)
{
	static const struct ev s[] = {
		{ EV_ERR, NULL, UK_NFC_ENOSUPPORT },
		{ EV_ACTIVATE, NULL, 0 },
	};
	struct run r;

	RUN(&r, s, NULL);
	ck_assert_int_eq(r.rc, UK_NFC_ENOSUPPORT);
	ck_assert_uint_eq(r.dev.inits, 1);
	ck_assert_str_eq(r.card.events, "");
}
END_TEST

START_TEST(oversize_and_malformed_answers_become_6f00)
{
	static const struct ev s[] = {
		{ EV_ACTIVATE, NULL, 0 },
		/* 256 data bytes + SW = 258 <= 262: sent as is */
		{ EV_FRAME, "00B0000000" "0100", 0 },
		/* 261 + 2 = 263 > 262: cannot be carried */
		{ EV_FRAME, "00B0000000" "0105", 0 },
		/* card answers 1 byte */
		{ EV_FRAME, "00EE000000", 0 },
		{ EV_FRAME, "00A40004023F00", 0 },
	};
	struct run r;

	RUN(&r, s, NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.dev.nsent, 4);
	ck_assert_uint_eq(r.dev.sent_len[0], 258);
	ck_assert_uint_eq(r.dev.sent[0][0], 0xAA);
	ck_assert_uint_eq(r.dev.sent[0][256], 0x90);
	assert_sent(&r, 1, "6F00");
	assert_sent(&r, 2, "6F00");
	assert_sent(&r, 3, "01049000");
	ck_assert_uint_eq(r.stats.oversize, 1);
	ck_assert_uint_eq(r.stats.apdus, 4);
}
END_TEST

START_TEST(short_frames_reach_the_card)
{
	static const struct ev s[] = {
		{ EV_ACTIVATE, NULL, 0 },
		{ EV_FRAME, "", 0 },
		{ EV_FRAME, "00", 0 },
		{ EV_FRAME, "00A4", 0 },
	};
	struct run r;

	RUN(&r, s, NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.dev.nsent, 3);
	assert_sent(&r, 0, "6700");
	assert_sent(&r, 1, "6700");
	assert_sent(&r, 2, "6700");
	ck_assert_uint_eq(r.card.last_len, 2);
	ck_assert_str_eq(r.card.events, "+AAA-");
}
END_TEST

START_TEST(target_parameters_reach_the_device)
{
	static const struct ev s[] = { { EV_STOP, NULL, 0 } };
	struct uk_nfc_serve_opts o;
	struct run r;

	uk_nfc_serve_opts_init(&o);
	ck_assert_uint_eq(o.target.atqa[0], 0x00);
	ck_assert_uint_eq(o.target.atqa[1], 0x04);
	ck_assert_uint_eq(o.target.sak, 0x20);
	ck_assert_uint_eq(o.target.hist_len, 0);
	o.target.uid[0] = 0x12;
	o.target.hist[0] = 0x80;
	o.target.hist_len = 1;
	RUN(&r, s, &o);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.dev.last_target.uid[0], 0x12);
	ck_assert_uint_eq(r.dev.last_target.sak, 0x20);
	ck_assert_uint_eq(r.dev.last_target.hist_len, 1);
	ck_assert_uint_eq(r.dev.last_target.hist[0], 0x80);

	o.target.hist_len = UK_NFC_HIST_MAX + 1;
	RUN(&r, s, &o);
	ck_assert_int_eq(r.rc, UK_NFC_EARG);
	ck_assert_uint_eq(r.dev.inits, 0);
}
END_TEST

START_TEST(bad_arguments)
{
	struct fake_dev dev;
	struct fake_card card;
	volatile sig_atomic_t stop = 0;
	struct uk_nfc_dev_ops no_send = fake_dev_ops;

	memset(&dev, 0, sizeof dev);
	memset(&card, 0, sizeof card);
	no_send.send = NULL;
	ck_assert_int_eq(uk_nfc_serve(NULL, &card, &fake_dev_ops, &dev, NULL,
				      &stop, NULL), UK_NFC_EARG);
	ck_assert_int_eq(uk_nfc_serve(&fake_card_ops, &card, &no_send, &dev,
				      NULL, &stop, NULL), UK_NFC_EARG);
	ck_assert_int_eq(uk_nfc_serve(&fake_card_ops, &card, &fake_dev_ops,
				      &dev, NULL, NULL, NULL), UK_NFC_EARG);
	ck_assert_uint_eq(dev.inits, 0);
}
END_TEST

START_TEST(log_lines)
{
	static const struct ev s[] = {
		{ EV_ACTIVATE, NULL, 0 },
		{ EV_FRAME, "00A40004023F00", 0 },
		{ EV_ERR, NULL, UK_NFC_ERELEASED },
		{ EV_STOP, NULL, 0 },
	};
	struct uk_nfc_serve_opts o;
	struct run r;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	uk_nfc_serve_opts_init(&o);
	o.log = f;
	o.trace = 1;
	RUN(&r, s, &o);
	fclose(f);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_ptr_nonnull(strstr(text, "C-APDU 00A40004023F00"));
	ck_assert_ptr_nonnull(strstr(text, "R-APDU 01019000"));
	ck_assert_ptr_nonnull(strstr(text, "card powered on"));
	ck_assert_ptr_nonnull(strstr(text, "released"));
	free(text);
}
END_TEST

START_TEST(strerror_names_every_code)
{
	int e;

	for (e = UK_NFC_OK; e >= UK_NFC_ENOLIBNFC; e--)
		ck_assert_str_ne(uk_nfc_strerror(e), "unknown NFC error");
	ck_assert_str_eq(uk_nfc_strerror(-1000), "unknown NFC error");
}
END_TEST

#ifdef HAVE_LIBNFC
START_TEST(libnfc_open_names_the_connstring_it_tried)
{
	static const char cs[] = "pn532_uart:/nonexistent/uicckit-tty";
	struct uk_nfc_libnfc *d = (struct uk_nfc_libnfc *)&d;
	char err[1024];
	int rc;

	rc = uk_nfc_libnfc_open(cs, NULL, &d, err, sizeof err);
	ck_assert_int_eq(rc, UK_NFC_ENODEV);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(err, cs) != NULL, "error does not name %s: %s",
		      cs, err);
	uk_nfc_libnfc_close(NULL);
}
END_TEST
#endif

#ifdef UK_TEST_REAL_CARD
START_TEST(real_card_select_mf_over_fake_nfc)
{
	static const struct ev s[] = {
		{ EV_ACTIVATE, NULL, 0 },
		{ EV_FRAME, "00A40004023F00", 0 },	/* SELECT MF, FCP */
		{ EV_ERR, NULL, UK_NFC_ERELEASED },
		{ EV_ACTIVATE, NULL, 0 },
		{ EV_FRAME, "00A40004023F00", 0 },
	};
	json_t *img = uicc_profile_default();
	char why[200];
	struct uicc *card;
	struct fake_dev dev;
	volatile sig_atomic_t stop = 0;
	struct uk_nfc_stats st;
	size_t i;

	ck_assert_ptr_nonnull(img);
	card = uicc_new(img, why, sizeof why);
	json_decref(img);
	ck_assert_msg(card != NULL, "uicc_new: %s", why);
	uicc_set_transport(card, UICC_TRANSPORT_DIRECT);
	memset(&dev, 0, sizeof dev);
	memset(&st, 0, sizeof st);
	dev.script = s;
	dev.n = sizeof s / sizeof s[0];
	dev.stop = &stop;
	ck_assert_int_eq(uk_nfc_serve(&uk_nfc_uicc_ops, card, &fake_dev_ops,
				      &dev, NULL, &stop, &st), 0);
	ck_assert_uint_eq(dev.nsent, 2);
	for (i = 0; i < 2; i++) {
		size_t n = dev.sent_len[i];

		/* TS 102 221 §11.1.1.3: FCP template (tag 62) + 90 00 */
		ck_assert_uint_ge(n, 4);
		ck_assert_uint_eq(dev.sent[i][0], 0x62);
		ck_assert_uint_eq(dev.sent[i][1], n - 4);
		ck_assert_uint_eq(dev.sent[i][n - 2], 0x90);
		ck_assert_uint_eq(dev.sent[i][n - 1], 0x00);
	}
	ck_assert_uint_eq(st.sessions, 2);
	ck_assert_uint_eq(st.releases, 1);
	uicc_free(card);
}
END_TEST

START_TEST(serve_main_without_device_says_why)
{
	static const char cs[] = "pn532_uart:/nonexistent/uicckit-tty";
	json_t *img = uicc_profile_default();
	char why[200];
	struct uicc *card = uicc_new(img, why, sizeof why);
	volatile sig_atomic_t stop = 0;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	json_decref(img);
	ck_assert_msg(card != NULL, "uicc_new: %s", why);
	ck_assert_ptr_nonnull(f);
	rc = uk_nfc_serve_main_log(card, cs, &stop, f, 0);
	fclose(f);
#ifdef HAVE_LIBNFC
	ck_assert_int_eq(rc, UK_NFC_ENODEV);
	ck_assert_msg(strstr(text, cs) != NULL, "message: %s", text);
#else
	ck_assert_int_eq(rc, UK_NFC_ENOLIBNFC);
	ck_assert_ptr_nonnull(strstr(text, "without libnfc"));
#endif
	free(text);
	uicc_free(card);
}
END_TEST
#endif

static Suite *nfc_suite(void)
{
	Suite *s = suite_create("nfc");
	TCase *tc = tcase_create("serve");

	tcase_add_test(tc, answers_apdus_then_stops);
	tcase_add_test(tc, first_frame_from_init_target);
	tcase_add_test(tc, field_loss_powers_off_and_reselect_powers_on);
	tcase_add_test(tc, rf_errors_end_the_session_like_field_loss);
	tcase_add_test(tc, idle_reader_keeps_the_session);
	tcase_add_test(tc, stop_while_armed_never_powers_the_card);
	tcase_add_test(tc, stop_already_set_touches_nothing);
	tcase_add_test(tc, device_failure_in_session_is_fatal_and_powers_off);
	tcase_add_test(tc, frame_longer_than_buffer_is_a_device_error);
	tcase_add_test(tc, init_failures_give_up_after_limit);
	tcase_add_test(tc, unsupported_device_fails_at_once);
	tcase_add_test(tc, oversize_and_malformed_answers_become_6f00);
	tcase_add_test(tc, short_frames_reach_the_card);
	tcase_add_test(tc, target_parameters_reach_the_device);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, log_lines);
	tcase_add_test(tc, strerror_names_every_code);
#ifdef HAVE_LIBNFC
	tcase_add_test(tc, libnfc_open_names_the_connstring_it_tried);
#endif
#ifdef UK_TEST_REAL_CARD
	tcase_add_test(tc, real_card_select_mf_over_fake_nfc);
	tcase_add_test(tc, serve_main_without_device_says_why);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(nfc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
