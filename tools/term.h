/*
 * term.h - uicc-term, a scripted M2M terminal: what a module does with its
 * UICC at power-up and while attached, against a card link and a network.
 *
 * Three small interfaces, so that each side can be replaced:
 *   struct term_link  the card: one APDU in, the card's answer out, and
 *                     power (cold = power cycle, warm = reset).  Backends:
 *                     an image file run in process (term_link.c), or any
 *                     PC/SC reader (term_link.c, pcsc-lite).
 *   struct term_net   the network's authentication side: a vector for an
 *                     IMSI, and AUTS resynchronisation.  Backend "params"
 *                     (term_net.c): subscribers given as uicc-auc
 *                     parameters.  An operator-database backend ("db",
 *                     ops/opdb.h) plugs in by implementing term_net_ops.
 *   events            every step is reported as one JSON object (event
 *                     name + fields, see uicc-term(1)) to a callback.
 * The engine (term.c) drives the link: T=0 GET RESPONSE / 6Cxx, proactive
 * commands (91xx -> FETCH / TERMINAL RESPONSE), SMS-PP download, REFRESH.
 * Functions return 0 or a negative TERM_E* code with a reason in err.
 */
#ifndef UK_TERM_H
#define UK_TERM_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "tools/term_msg.h"
#include "uicckit/auth.h"

enum term_err {
	TERM_OK = 0,
	TERM_ELINK = -1,	/* the card link failed (reader gone, I/O) */
	TERM_ECARD = -2,	/* the card answered an unexpected status */
	TERM_EARG = -3,		/* bad argument / input */
	TERM_ENOMEM = -4,
	TERM_EUNKNOWN = -5,	/* network: IMSI not known */
	TERM_EAUTS = -6,	/* network: AUTS does not verify (MAC-S) */
	TERM_ENET = -7,		/* network: other failure */
	TERM_EIO = -8,		/* output file */
};

/* Largest answer the engine takes from a link: 65536 data bytes + SW. */
#define TERM_RAPDU_MAX 65538
#define TERM_ATR_MAX 33

/* ------------------------------------------------------------------ */
/* Card link                                                           */

enum term_power {
	TERM_POWER_COLD = 0,	/* power off, then on (a new card session) */
	TERM_POWER_WARM = 1,	/* reset (REFRESH "UICC reset") */
};

struct term_link_ops {
	const char *kind;	/* "image" or "pcsc" */
	/* Power the card as asked and write its ATR.  0 or TERM_ELINK. */
	int (*power)(void *ctx, enum term_power how, uint8_t *atr, size_t cap,
		     size_t *atr_len, char *err, size_t errlen);
	/* One command APDU as is (the engine does GET RESPONSE); the answer
	 * (data + SW1 SW2, >= 2 bytes) into r.  0 or TERM_ELINK. */
	int (*transmit)(void *ctx, const uint8_t *c, size_t n, uint8_t *r, size_t cap,
			size_t *rlen, char *err, size_t errlen);
	void (*close)(void *ctx);
};

struct term_link {
	const struct term_link_ops *ops;
	void *ctx;
};

/* In process: the card image at path (uicc_image_load), saved as the card
 * saves it (every command that changes state, atomically).  t0 selects the
 * T=0 behaviour (61xx, 6Cxx), as on a reader.  Every TERM_POWER_COLD is a
 * new card session (power off + power on). */
int term_link_image_open(const char *path, int t0, struct term_link *l, char *err,
			 size_t errlen);
/* PC/SC: the card in reader `reader` (exclusive).  Power: SCardReconnect
 * with SCARD_RESET_CARD, or for a cold power-up with unpower != 0
 * SCARD_UNPOWER_CARD (through pcscd + vpcd that reaches the card as power
 * on + reset: two card sessions).  pcscd does not issue GET RESPONSE:
 * 61xx / 6Cxx reach the engine as they are. */
int term_link_pcsc_open(const char *reader, int unpower, struct term_link *l, char *err,
			size_t errlen);
void term_link_close(struct term_link *l);

/* ------------------------------------------------------------------ */
/* Network side                                                        */

struct term_vector {
	uint8_t rand[16], autn[16];
	uint8_t xres[32], ck[32], ik[32];
	size_t xres_len, ck_len, ik_len;
};

struct term_net_ops {
	const char *kind;	/* "params", "db" */
	/* A fresh authentication vector for imsi (the network advances its
	 * SQN_HE for it).  0, TERM_EUNKNOWN (no such subscriber) or TERM_ENET. */
	int (*vector)(void *ctx, const char *imsi, struct term_vector *v, char *err,
		      size_t errlen);
	/* The card answered RAND with synchronisation failure AUTS: recover
	 * SQN_MS (TS 33.102 §6.3.5) and continue from it.  0, TERM_EAUTS
	 * (MAC-S does not verify), TERM_EUNKNOWN or TERM_ENET. */
	int (*resync)(void *ctx, const char *imsi, const uint8_t rand[16], const uint8_t auts[14],
		      char *err, size_t errlen);
	/* Optional (may be NULL): the outcome of an attach, for backends that
	 * record it (attached 1 = RES matched). */
	void (*result)(void *ctx, const char *imsi, int attached);
	void (*free)(void *ctx);
};

struct term_net {
	const struct term_net_ops *ops;
	void *ctx;
};

/* Backend "db" (term_net_db.c): one or more operator databases
 * (ops/opdb.h), each the AuC of its operator (ops/auc.h): the first that
 * knows the IMSI answers, as the home network of that IMSI would.  Every
 * SQN is committed to its database before the vector is used; AUTS
 * resynchronises the key set there. */
int term_net_db_new(struct term_net *n, const char *const *paths, size_t npaths, char *err,
		    size_t errlen);
/* One vector from ks/sqn/amf with a fresh RAND (both backends). */
int term_net_gen(struct auth_ctx *cx, const struct auth_keyset *ks, const uint8_t sqn[6],
		 const uint8_t amf[2], struct term_vector *v, char *err, size_t errlen);

/* Backend "params": subscribers as uicc-auc parameters.  imsi NULL = the
 * subscriber answers for any IMSI (used when no other one matches).  sqn
 * = SQN_HE, the last SQN used; every vector takes the next SEQ with IND 0
 * (TS 33.102 Annex C.3), a resync continues from SQN_MS.  ks and amf are
 * copied (the caller cleanses its copy). */
int term_net_params_new(struct term_net *n, char *err, size_t errlen);
int term_net_params_add(struct term_net *n, const char *imsi, const struct auth_keyset *ks,
			uint64_t sqn, const uint8_t amf[2], char *err, size_t errlen);
/* Current SQN_HE of a subscriber (tests, logs); -1 if unknown. */
int64_t term_net_params_sqn(const struct term_net *n, const char *imsi);
/* Parse "IMSI:K:OPC[:ALG[:SQN]]" (hex K/OPc, ALG milenage|xor|tuak, SQN
 * 12 hex digits) into imsi/ks/sqn.  0 or TERM_EARG with a reason. */
int term_net_parse_sub(const char *spec, char imsi[16], struct auth_keyset *ks, uint64_t *sqn,
		       char *err, size_t errlen);
void term_net_free(struct term_net *n);

/* ------------------------------------------------------------------ */
/* The terminal                                                        */

typedef void (*term_event_fn)(void *arg, json_t *ev);

struct term_opts {
	const char *pin1;		/* digits, or NULL */
	uint8_t profile[32];		/* TERMINAL PROFILE (0 length: default) */
	size_t profile_len;
	const char *por_out;		/* PoR file to append to, or NULL */
	unsigned sessions;		/* power-ups (>= 1) */
	int verbose;			/* apdu events too */
	int refresh_cold;		/* REFRESH UICC reset by power cycle (default: reset) */
};

struct term;

/* link and net are borrowed (net may be NULL: no attach); ev gets every
 * event (a new reference it must not keep; NULL: none). */
struct term *term_new(const struct term_link *link, const struct term_net *net,
		      const struct term_opts *o, term_event_fn ev, void *ev_arg);
void term_free(struct term *t);

/* The whole run: `sessions` power-ups, each with the power-up sequence and
 * an attach; the messages (those for the card's ICCID; all of a plain
 * file) are delivered in the first session once attached (or when there
 * is no network), REFRESH handled as the card asks.  Returns 1 when the
 * last attach succeeded (or no network: the power-up worked), 0 when it
 * failed, <0 TERM_E* when the link or an output file failed. */
int term_run(struct term *t, const struct term_msgs *msgs);

/* The steps, for tests. */
int term_power_up(struct term *t, enum term_power how);	/* 0 or <0 */
int term_attach(struct term *t);			/* 1 ok, 0 failed, <0 */
int term_deliver(struct term *t, const struct term_msg *m);	/* 0 or <0 */
/* Handle any REFRESH the card asked for (re-initialise, re-attach). */
int term_handle_refresh(struct term *t);
const char *term_imsi(const struct term *t);		/* "" before power-up */
const char *term_iccid(const struct term *t);
/* Reason of the last link / output failure ("" if none). */
const char *term_error(const struct term *t);
/* Counters: PoRs written, REFRESH seen, last PoR status (-1 unknown). */
struct term_stats {
	unsigned pors, refreshes, attaches_ok, attaches_failed, resyncs;
	int last_rsc;
	int last_attach;	/* 1, 0, -1 none */
};
void term_get_stats(const struct term *t, struct term_stats *s);
/* The last PoR user data (02 71 00 ...), for tests. */
const uint8_t *term_last_por(const struct term *t, size_t *len);

const char *term_strerror(int err);

#endif
