/*
 * uicc-demo - TR 33.812's change of operator, played end to end by the
 * parties with the real tools, in a temporary directory: the manufacturer
 * personalises cards and keeps the key escrow (uicc-perso batch), operator
 * A imports its key file and attaches (uicc-ota import, uicc-term),
 * operator B sends its IMSI list, A runs the switch campaign (uicc-ota
 * switch), the card receives it, answers with a proof of receipt and
 * REFRESH, the escrow releases the next key set to B (uicc-escrow), B
 * imports it and the card attaches at B while A's keys are refused
 * (Alternative 3b); the same with the keys handed over and replaced over
 * the air (Alternative 3a); and the fallback, where B never authenticates
 * and the card returns to A.
 *
 * Every step is narrated with the commands it ran (cwd: the temporary
 * directory), or printed as one JSON object per line (--json).  --reader
 * serves each card on a PC/SC reader (uicc-card serve --vpcd) and the
 * terminal talks to it there.  Thin: the work is done by the tools; this
 * program runs them, reads their JSON and checks the outcomes.  See
 * uicc-demo(1).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <openssl/rand.h>

#include "common/hex.h"
#include "common/secmem.h"
#include "ops/escrow_batch.h"
#include "ops/party_gen.h"

#define ICCID_START "89882390000000000019"
#define IMSI_A_START "001010000000001"
#define IMSI_B_START "001020000000001"
#define NCARDS 3
#define PIN1 "1234"

struct demo {
	int json, keep;
	const char *alt;
	char dir[64];			/* temporary directory: cwd of every command */
	char bin[PATH_MAX];		/* where the tools are ("" = PATH) */
	const char *reader, *vpcd;	/* --reader NAME, --vpcd HOST:PORT */
	pid_t serve;			/* uicc-card serve, in --reader mode */
	char served[64];		/* the image it serves */
	char iccid[NCARDS][21], imsi_a[NCARDS][16], imsi_b[NCARDS][16];
	char cmds[4096];		/* commands run since the last step line */
	char *out;			/* stdout of the last command */
	size_t out_len;
	char *ev;			/* JSON events of the last uicc-term run */
	int failures;
};

/* ------------------------------------------------------------------ */
/* Narration                                                           */

static void say(struct demo *d, const char *actor, const char *step, const char *outcome,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void say(struct demo *d, const char *actor, const char *step, const char *outcome,
		const char *fmt, ...)
{
	char text[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (d->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "alternative", d->alt,
				      "step", step, "actor", actor, "outcome", outcome,
				      "detail", text);
		char *s;

		if (o != NULL && d->cmds[0] != '\0')
			json_object_set_new(o, "commands", json_string(d->cmds));
		s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		if (s != NULL)
			puts(s);
		free(s);
		json_decref(o);
	} else {
		printf("[%s] %-12s %-24s %s\n", d->alt, actor, step, outcome);
		if (d->cmds[0] != '\0')
			printf("%s", d->cmds);
		printf("    %s\n\n", text);
	}
	d->cmds[0] = '\0';
	fflush(stdout);
}

static int expect(struct demo *d, int cond, const char *what)
{
	if (!cond) {
		d->failures++;
		say(d, "demo", "check", "unexpected", "%s", what);
	}
	return cond;
}

/* ------------------------------------------------------------------ */
/* Running the tools                                                   */

static void note_cmd(struct demo *d, char *const argv[])
{
	size_t n = strlen(d->cmds);
	int i;

	if (d->json) {
		if (n > 0 && n + 3 < sizeof(d->cmds))
			strcat(d->cmds, " ; ");
	} else if (n + 6 < sizeof(d->cmds)) {
		strcat(d->cmds, "    $ ");
	}
	for (i = 0; argv[i] != NULL; i++) {
		n = strlen(d->cmds);
		if (n + strlen(argv[i]) + 4 >= sizeof(d->cmds))
			break;
		if (i > 0)
			strcat(d->cmds, " ");
		if (strchr(argv[i], ' ') != NULL) {
			strcat(d->cmds, "'");
			strcat(d->cmds, argv[i]);
			strcat(d->cmds, "'");
		} else {
			strcat(d->cmds, argv[i]);
		}
	}
	if (!d->json && strlen(d->cmds) + 2 < sizeof(d->cmds))
		strcat(d->cmds, "\n");
}

static void tool_path(const struct demo *d, const char *name, char *out, size_t cap)
{
	if (d->bin[0] != '\0')
		snprintf(out, cap, "%s/%s", d->bin, name);
	else
		snprintf(out, cap, "%s", name);
}

/* Run a tool (argv[0] = its name) with stdout captured into d->out and
 * stderr appended to log.txt.  Returns its exit status, or -1. */
static int runv(struct demo *d, char *const argv[])
{
	char path[PATH_MAX + 32];
	char *buf;
	int p[2];
	pid_t pid;
	int status = 0, logfd;
	size_t cap = 4096, len = 0;
	ssize_t r;

	free(d->out);
	d->out = NULL;
	d->out_len = 0;
	note_cmd(d, argv);
	tool_path(d, argv[0], path, sizeof(path));
	if (pipe(p) != 0)
		return -1;
	logfd = open("log.txt", O_WRONLY | O_CREAT | O_APPEND, 0600);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		if (logfd >= 0)
			close(logfd);
		return -1;
	}
	if (pid == 0) {
		dup2(p[1], 1);
		if (logfd >= 0)
			dup2(logfd, 2);
		close(p[0]);
		close(p[1]);
		execvp(path, argv);
		_exit(127);
	}
	close(p[1]);
	if (logfd >= 0)
		close(logfd);
	buf = malloc(cap);
	if (buf == NULL)
		cap = 0;	/* nothing is read: the tool sees a closed pipe */
	while (cap > 0) {
		if (len + 1024 > cap) {
			char *n = realloc(buf, cap * 2);

			if (n == NULL)
				break;
			buf = n;
			cap *= 2;
		}
		r = read(p[0], buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (buf == NULL)
		return -1;
	buf[len] = '\0';
	d->out = buf;
	d->out_len = len;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define run(d, ...) runv((d), (char *[]){ __VA_ARGS__, NULL })

/* The JSON object of the last line of text whose "event" is ev (NULL:
 * any line) and, if key is not NULL, whose key equals val.  A new
 * reference or NULL. */
static json_t *find_line(const char *text, const char *field, const char *ev,
			 const char *key, const char *val)
{
	const char *p = text, *e;
	json_t *found = NULL;

	while (p != NULL && *p != '\0') {
		json_t *o;

		e = strchr(p, '\n');
		o = json_loadb(p, e ? (size_t)(e - p) : strlen(p), 0, NULL);
		if (o != NULL && (ev == NULL ||
				  (json_is_string(json_object_get(o, field)) &&
				   strcmp(json_string_value(json_object_get(o, field)), ev) == 0)) &&
		    (key == NULL || (json_is_string(json_object_get(o, key)) &&
				     strcmp(json_string_value(json_object_get(o, key)), val) == 0))) {
			json_decref(found);
			found = o;
		} else {
			json_decref(o);
		}
		p = e ? e + 1 : NULL;
	}
	return found;
}

static int count_lines(const char *text, const char *field, const char *ev, const char *key,
		       const char *val)
{
	const char *p = text, *e;
	int n = 0;

	while (p != NULL && *p != '\0') {
		json_t *o;

		e = strchr(p, '\n');
		o = json_loadb(p, e ? (size_t)(e - p) : strlen(p), 0, NULL);
		if (o != NULL && json_is_string(json_object_get(o, field)) &&
		    strcmp(json_string_value(json_object_get(o, field)), ev) == 0 &&
		    (key == NULL || (json_is_string(json_object_get(o, key)) &&
				     strcmp(json_string_value(json_object_get(o, key)), val) == 0)))
			n++;
		json_decref(o);
		p = e ? e + 1 : NULL;
	}
	return n;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* A number in the JSON document printed by `uicc-ota status --json`:
 * counts per state (an object of state: count, possibly nested). */
static long status_count(const char *text, const char *state)
{
	json_t *o = json_loads(text, 0, NULL), *c, *v;
	long n = -1;

	if (o == NULL)
		return -1;
	c = json_object_get(o, "campaigns");
	if (json_is_array(c) && json_array_size(c) > 0)
		c = json_array_get(c, 0);
	else
		c = o;
	v = json_object_get(json_object_get(c, "states"), state);
	if (v == NULL)
		v = json_object_get(c, state);
	if (json_is_integer(v))
		n = (long)json_integer_value(v);
	json_decref(o);
	return n;
}

/* ------------------------------------------------------------------ */
/* The card: an image file, or served on a PC/SC reader                */

static void serve_stop(struct demo *d)
{
	if (d->serve > 0) {
		kill(d->serve, SIGTERM);
		while (waitpid(d->serve, NULL, 0) < 0 && errno == EINTR)
			;
	}
	d->serve = 0;
	d->served[0] = '\0';
}

static int serve_card(struct demo *d, const char *image)
{
	char path[PATH_MAX + 32];
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	pid_t pid;
	int logfd;

	if (d->reader == NULL || strcmp(d->served, image) == 0)
		return 0;
	serve_stop(d);
	tool_path(d, "uicc-card", path, sizeof(path));
	logfd = open("serve.log", O_WRONLY | O_CREAT | O_APPEND, 0600);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (logfd >= 0) {
			dup2(logfd, 1);
			dup2(logfd, 2);
		}
		execlp(path, "uicc-card", "serve", image, "--vpcd", d->vpcd, (char *)NULL);
		_exit(127);
	}
	if (logfd >= 0)
		close(logfd);
	d->serve = pid;
	snprintf(d->served, sizeof(d->served), "%s", image);
	nanosleep(&ts, NULL);	/* let it connect to vpcd */
	return 0;
}

/* uicc-term on card i with the networks given (NULL-terminated list of
 * operator databases), optional SMS file and sessions.  Returns its exit
 * status; d->ev holds its JSON events. */
static int terminal(struct demo *d, int i, const char *sms, const char *por_out,
		    const char *sessions, const char *db1, const char *db2)
{
	char image[64];
	char *argv[24];
	int n = 0, rc;

	snprintf(image, sizeof(image), "cards/%s.json", d->iccid[i]);
	argv[n++] = "uicc-term";
	if (d->reader != NULL) {
		if (serve_card(d, image) != 0)
			return -1;
		argv[n++] = "--reader";
		argv[n++] = (char *)d->reader;
	} else {
		argv[n++] = image;
	}
	argv[n++] = "--pin1";
	argv[n++] = PIN1;
	if (db1 != NULL) {
		argv[n++] = "--db";
		argv[n++] = (char *)db1;
	}
	if (db2 != NULL) {
		argv[n++] = "--db";
		argv[n++] = (char *)db2;
	}
	if (sms != NULL) {
		argv[n++] = "--sms";
		argv[n++] = (char *)sms;
	}
	if (por_out != NULL) {
		argv[n++] = "--por-out";
		argv[n++] = (char *)por_out;
	}
	if (sessions != NULL) {
		argv[n++] = "--sessions";
		argv[n++] = (char *)sessions;
	}
	argv[n++] = "--json";
	argv[n] = NULL;
	rc = runv(d, argv);
	free(d->ev);
	d->ev = d->out;		/* kept apart: later commands replace d->out */
	d->out = NULL;
	d->out_len = 0;
	return rc;
}

/* The outcome of the terminal's last attach, from its events. */
static int attached(struct demo *d, char *imsi, size_t cap)
{
	json_t *o = find_line(d->ev, "event", "attach", NULL, NULL);
	int ok = o != NULL && strcmp(jstr(o, "outcome"), "ok") == 0;

	snprintf(imsi, cap, "%s", o ? jstr(o, "imsi") : "?");
	json_decref(o);
	return ok;
}

static void attach_step(struct demo *d, const char *actor, int rc, const char *imsi,
			const char *why)
{
	json_t *o = find_line(d->ev, "event", "attach", NULL, NULL);

	if (rc == 0)
		say(d, actor, "attach", "attach ok",
		    "the terminal reads IMSI %s and the network's vector authenticates the card "
		    "(RES = XRES)%s", imsi, why);
	else
		say(d, actor, "attach", "attach failed", "IMSI %s: %s%s", imsi,
		    o ? jstr(o, "reason") : "no attach event", why);
	json_decref(o);
}

/* What came of a delivery: REFRESH seen by the terminal (d->ev holds
 * its events), then the PoR file verified by the sending operator with
 * `uicc-ota por`.  Returns 1 when the PoR verified with status 00. */
static int delivery(struct demo *d, const char *actor, const char *db, const char *campaign,
		    const char *por_file, int *refresh)
{
	int pors = count_lines(d->ev, "event", "por", NULL, NULL), ok;
	json_t *o;

	*refresh = count_lines(d->ev, "event", "refresh", NULL, NULL) > 0;
	say(d, "card", "proof of receipt", pors > 0 ? "PoR sent" : "no PoR",
	    "the card answers the secured SMS with a proof of receipt (ciphered and signed with "
	    "the OTA keys it was sent under); the terminal returns it in %s", por_file);
	if (*refresh)
		say(d, "card", "proactive REFRESH", "REFRESH",
		    "UICC reset: the terminal resets the card, reads the IMSI again and attaches");
	ok = run(d, "uicc-ota", "por", "--db", (char *)db, "--campaign", (char *)campaign,
		 (char *)por_file, "--json") == 0;
	o = ok ? json_loads(d->out, 0, NULL) : NULL;
	ok = o != NULL && json_integer_value(json_object_get(o, "done")) == 1 &&
	     json_integer_value(json_object_get(o, "failed")) == 0;
	json_decref(o);
	say(d, actor, "proof of receipt", ok ? "PoR OK" : "PoR error",
	    ok ? "the PoR verifies with the card's OTA keys (counter, CC) and says status 00: "
		 "every command of the script ran"
	       : "the PoR does not verify or reports an error (see log.txt)");
	return ok;
}

/* ------------------------------------------------------------------ */
/* The parties                                                         */

static int parties(struct demo *d)
{
	static const char *const who[][2] = {
		{ "manuf", "UICC manufacturer and key escrow" },
		{ "mnoA", "operator A" },
		{ "mnoB", "operator B" },
	};
	uint8_t mk[32];
	char hex[65], cert[32], key[32], err[256];
	size_t i;
	int fd;

	for (i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
		snprintf(cert, sizeof(cert), "%s.pem", who[i][0]);
		snprintf(key, sizeof(key), "%s.key", who[i][0]);
		if (ops_party_generate(who[i][1], "EC", cert, key, err, sizeof(err)) != 0) {
			fprintf(stderr, "uicc-demo: %s\n", err);
			return -1;
		}
	}
	if (RAND_bytes(mk, sizeof(mk)) != 1)
		return -1;
	uk_hex_encode(mk, sizeof(mk), hex);
	OPENSSL_cleanse(mk, sizeof(mk));
	fd = open("master.key", O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, hex, 64) != 64 || write(fd, "\n", 1) != 1) {
		OPENSSL_cleanse(hex, sizeof(hex));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	OPENSSL_cleanse(hex, sizeof(hex));
	say(d, "all parties", "certificates", "ready",
	    "each party has an EC P-256 key and a certificate (manuf.pem, mnoA.pem, mnoB.pem; "
	    "self-signed here, the parties' PKI in production); the escrow's master key is "
	    "master.key (0600)");
	return 0;
}

static int manufacture(struct demo *d)
{
	size_t i;
	int rc;

	rc = run(d, "uicc-perso", "batch", "--count", "3", "--iccid-start", ICCID_START,
		 "--imsi-start", IMSI_A_START, "--keysets", "4", "--out-dir", "cards",
		 "--escrow", "escrow.db", "--master-key-file", "master.key", "--signer-cert",
		 "manuf.pem", "--signer-key", "manuf.key", "--operator-cert", "mnoA.pem",
		 "--operator-out", "mnoA-keys.cms", "--json");
	if (!expect(d, rc == 0, "uicc-perso batch failed (see log.txt)"))
		return -1;
	for (i = 0; i < NCARDS; i++) {
		char err[128];

		/* the batch counts ICCIDs and IMSIs up from the starts */
		if (ops_batch_iccid(ICCID_START, i, d->iccid[i], err, sizeof(err)) != 0 ||
		    ops_batch_imsi(IMSI_A_START, i, d->imsi_a[i], err, sizeof(err)) != 0 ||
		    ops_batch_imsi(IMSI_B_START, i, d->imsi_b[i], err, sizeof(err)) != 0)
			d->iccid[i][0] = '\0';
	}
	if (!expect(d, d->iccid[NCARDS - 1][0] != '\0', "uicc-perso batch: no card list"))
		return -1;
	say(d, "manufacturer", "personalisation", "personalised",
	    "%d cards with 4 key sets each (index 0 for operator A, 1..3 pre-loaded for later "
	    "operators): images in cards/, every key set in the escrow (escrow.db, key columns "
	    "encrypted under master.key), and key set 0 of each card for A only, signed and "
	    "encrypted to A's certificate (mnoA-keys.cms)", NCARDS);
	rc = run(d, "uicc-ota", "import", "--db", "A.db", "--cert", "mnoA.pem", "--key",
		 "mnoA.key", "--trust", "manuf.pem", "mnoA-keys.cms");
	expect(d, rc == 0, "A cannot import its key file");
	say(d, "operator A", "import", rc == 0 ? "imported" : "failed",
	    "A decrypts its key file, checks the manufacturer's signature and stores the key "
	    "sets in its operator database A.db (its AuC and OTA server)");
	return rc == 0 ? 0 : -1;
}

static int imsi_list(struct demo *d, const char *file, int from, int to)
{
	FILE *f = fopen(file, "w");
	int i;

	if (f == NULL)
		return -1;
	fprintf(f, "iccid,new_imsi\r\n");
	for (i = from; i <= to; i++)
		fprintf(f, "%s,%s\r\n", d->iccid[i], d->imsi_b[i]);
	return fclose(f) == 0 ? 0 : -1;
}

static void attach_at(struct demo *d, const char *actor, int card, const char *dbs1,
		      const char *dbs2, int want, const char *why)
{
	char imsi[16];
	int rc = terminal(d, card, NULL, NULL, NULL, dbs1, dbs2);

	attached(d, imsi, sizeof(imsi));
	attach_step(d, actor, rc, imsi, why);
	expect(d, (rc == 0) == want, want ? "attach should succeed" : "attach should fail");
}

/* The SW of the last line uicc-card apdu printed (data then SW1 SW2). */
static void last_sw(const struct demo *d, char *sw, size_t cap)
{
	size_t n = d->out_len;

	while (n > 0 && (d->out[n - 1] == '\n' || d->out[n - 1] == ' '))
		n--;
	snprintf(sw, cap, "%.4s", n >= 4 ? d->out + n - 4 : "");
}

/* A's AuC vector for the old IMSI, sent to the card by hand: 9862. */
static void old_keys_refused(struct demo *d, int card)
{
	char image[64], auth[128], sw[8] = "";
	json_t *o;
	int rc;

	rc = run(d, "uicc-auc", "gen", "--db", "A.db", "--imsi", d->imsi_a[card], "--json");
	o = rc == 0 ? json_loads(d->out, 0, NULL) : NULL;
	if (!expect(d, o != NULL, "A's AuC gives no vector for the old IMSI")) {
		json_decref(o);
		return;
	}
	snprintf(auth, sizeof(auth), "008800812210%s10%s", jstr(o, "rand"), jstr(o, "autn"));
	json_decref(o);
	serve_stop(d);		/* the image is used directly here */
	snprintf(image, sizeof(image), "cards/%s.json", d->iccid[card]);
	run(d, "uicc-card", "apdu", image, "002000010831323334FFFFFFFF",
	    "00A4040C07A0000000871002", auth);
	last_sw(d, sw, sizeof(sw));
	say(d, "operator A", "old keys", strcmp(sw, "9862") == 0 ? "refused" : "accepted",
	    "A's AuC vector for the old IMSI %s (key set 0): the card answers %s%s",
	    d->imsi_a[card], sw[0] ? sw : "?",
	    strcmp(sw, "9862") == 0 ? " (MAC failure: key set 0 is retired on the card)" : "");
	expect(d, strcmp(sw, "9862") == 0, "A's old key must be refused (9862)");
}

/* ------------------------------------------------------------------ */
/* The stories                                                         */

static void alternative_3b(struct demo *d)
{
	char imsi[16];
	int rc, refresh = 0;

	d->alt = "3b";
	attach_at(d, "operator A", 0, "A.db", NULL, 1, "");
	if (!expect(d, imsi_list(d, "b-imsis.csv", 0, 1) == 0, "cannot write the IMSI list"))
		return;
	say(d, "operator B", "IMSI list", "sent",
	    "B sends A the new IMSIs it allocated (b-imsis.csv: iccid,new_imsi): %s for card %s, "
	    "%s for card %s", d->imsi_b[0], d->iccid[0], d->imsi_b[1], d->iccid[1]);
	rc = run(d, "uicc-ota", "switch", "--db", "A.db", "--campaign", "to-B", "--imsi-list",
		 "b-imsis.csv", "--out", "msgs.csv", "--handover", "handover.cms", "--cert",
		 "mnoA.pem", "--key", "mnoA.key", "--json");
	expect(d, rc == 0, "the switch campaign failed");
	say(d, "operator A", "OTA switch", rc == 0 ? "sent" : "failed",
	    "one secured SMS per card (AES-128 ciphered, CMAC, fresh counter) to TAR B00001: "
	    "UPDATE EF.IMSI and EF.KEYIDX = 1 (msgs.csv); the hand-over list for B, signed by A "
	    "(handover.cms)");
	rc = run(d, "uicc-escrow", "release", "--db", "escrow.db", "--master-key-file",
		 "master.key", "--iccid", d->iccid[0], "--index", "1", "--to", "mnoB.pem",
		 "--signer-cert", "manuf.pem", "--signer-key", "manuf.key", "--out", "b-ks1.cms");
	expect(d, rc == 0, "the escrow release failed");
	say(d, "escrow", "release", rc == 0 ? "released" : "refused",
	    "key set 1 of card %s, encrypted to B's certificate and signed (b-ks1.cms); logged; "
	    "the escrow would refuse it to anyone else, and index 0 to anyone now", d->iccid[0]);
	rc = run(d, "uicc-ota", "import", "--db", "B.db", "--cert", "mnoB.pem", "--key",
		 "mnoB.key", "--trust", "manuf.pem", "--trust", "mnoA.pem", "b-ks1.cms",
		 "handover.cms");
	expect(d, rc == 0, "B cannot import the key set and the hand-over list");
	say(d, "operator B", "import", rc == 0 ? "imported" : "failed",
	    "B checks the escrow's and A's signatures and loads key set 1 and the new IMSI into "
	    "its AuC (B.db)");
	rc = terminal(d, 0, "msgs.csv", "por-1.csv", NULL, "A.db", "B.db");
	say(d, "terminal", "SMS-PP download", rc >= 0 ? "delivered" : "failed",
	    "the terminal passes the secured SMS to the card (ENVELOPE)");
	attached(d, imsi, sizeof(imsi));
	expect(d, delivery(d, "operator A", "A.db", "to-B", "por-1.csv", &refresh) && refresh,
	       "switch PoR OK and REFRESH");
	say(d, "terminal", "re-initialise", strcmp(imsi, d->imsi_b[0]) == 0 ? "new IMSI" : "old IMSI",
	    "after the reset EF.IMSI reads %s", imsi);
	expect(d, strcmp(imsi, d->imsi_b[0]) == 0, "new IMSI after REFRESH");
	attach_step(d, "operator B", terminal(d, 0, NULL, NULL, NULL, "B.db", NULL), imsi,
		    " -- with key set 1, confirming the switch");
	expect(d, attached(d, imsi, sizeof(imsi)), "attach at B");
	run(d, "uicc-ota", "status", "--db", "A.db", "--campaign", "to-B", "--json");
	say(d, "operator A", "campaign status", status_count(d->out, "done") == 1 ? "1 done" : "?",
	    "A verifies the PoR with the card's OTA keys: %ld card done, %ld still to deliver",
	    status_count(d->out, "done"), status_count(d->out, "built"));
	expect(d, status_count(d->out, "done") == 1, "campaign: one card done");
	old_keys_refused(d, 0);
}

static void fallback(struct demo *d)
{
	char imsi[16];
	int rc, refresh = 0;

	d->alt = "3b";
	/* card 1 is in the same campaign, but B never got its key set */
	rc = terminal(d, 1, "msgs.csv", "por-2.csv", "4", "A.db", "B.db");
	say(d, "terminal", "SMS-PP download", rc >= 0 ? "delivered" : "failed",
	    "card %s receives its switch; operator B's network does not know the card's new "
	    "key set (never released to B), so no attach succeeds", d->iccid[1]);
	expect(d, count_lines(d->ev, "event", "attach", "outcome", "failed") == 3,
	       "three failed attaches with the new IMSI");
	attached(d, imsi, sizeof(imsi));
	{
		expect(d, delivery(d, "operator A", "A.db", "to-B", "por-2.csv", &refresh),
		       "the switch of card 2 had a good PoR");
	}
	say(d, "card", "fallback", strcmp(imsi, d->imsi_a[1]) == 0 ? "fallback" : "no fallback",
	    "three power-ups without a verified AUTHENTICATE: the card returns to key set 0 and "
	    "IMSI %s (EF.M2MSTATE tells), and the terminal attaches at A again", imsi);
	expect(d, strcmp(imsi, d->imsi_a[1]) == 0, "reverted to IMSI A");
	attach_step(d, "operator A", rc, imsi, " -- after the fallback");
	expect(d, rc == 0, "attach at A after the fallback");
	attach_at(d, "operator A", 1, "A.db", NULL, 1,
		  " -- A kept the old key set after the PoR: a card that falls back is served");
}

static void alternative_3a(struct demo *d)
{
	char imsi[16];
	FILE *f;
	int rc, refresh = 0;

	d->alt = "3a";
	attach_at(d, "operator A", 2, "A.db", NULL, 1, "");
	if (!expect(d, imsi_list(d, "b-imsis-3a.csv", 2, 2) == 0, "cannot write the IMSI list"))
		return;
	say(d, "operator B", "IMSI list", "sent", "new IMSI %s for card %s (b-imsis-3a.csv)",
	    d->imsi_b[2], d->iccid[2]);
	rc = run(d, "uicc-ota", "switch", "--db", "A.db", "--campaign", "to-B-3a", "--keep-keys",
		 "--imsi-list", "b-imsis-3a.csv", "--out", "msgs-3a.csv", "--handover",
		 "handover-3a.cms", "--cert", "mnoA.pem", "--key", "mnoA.key", "--to", "mnoB.pem",
		 "--json");
	expect(d, rc == 0, "the 3a switch campaign failed");
	say(d, "operator A", "OTA switch", rc == 0 ? "sent" : "failed",
	    "Alternative 3a: the card keeps its key set, only the IMSI changes (msgs-3a.csv); the "
	    "hand-over carries the key set itself, signed by A and encrypted to B "
	    "(handover-3a.cms)");
	rc = run(d, "uicc-ota", "import", "--db", "B.db", "--cert", "mnoB.pem", "--key",
		 "mnoB.key", "--trust", "mnoA.pem", "handover-3a.cms");
	expect(d, rc == 0, "B cannot import the 3a hand-over");
	say(d, "operator B", "import", rc == 0 ? "imported" : "failed",
	    "B loads the transferred key set and the new IMSI into B.db");
	terminal(d, 2, "msgs-3a.csv", "por-3a.csv", NULL, "A.db", "B.db");
	attached(d, imsi, sizeof(imsi));
	expect(d, delivery(d, "operator A", "A.db", "to-B-3a", "por-3a.csv", &refresh) && refresh,
	       "3a switch PoR OK and REFRESH");
	attach_step(d, "operator B", attached(d, imsi, sizeof(imsi)) ? 0 : 1, imsi,
		    " -- with the key set A handed over");
	expect(d, strcmp(imsi, d->imsi_b[2]) == 0 && attached(d, imsi, sizeof(imsi)),
	       "attach at B with the new IMSI");
	f = fopen("rekey.csv", "w");
	if (f != NULL) {
		fprintf(f, "iccid\r\n%s\r\n", d->iccid[2]);
		fclose(f);
	}
	rc = run(d, "uicc-ota", "rekey", "--db", "B.db", "--campaign", "rekey-3a", "--iccid-list",
		 "rekey.csv", "--out", "msgs-rekey.csv", "--json");
	expect(d, rc == 0, "B's rekey campaign failed");
	say(d, "operator B", "OTA key transfer", rc == 0 ? "sent" : "failed",
	    "A knew the transferred keys, so B replaces K, OPc and the OTA keys over the air "
	    "(UPDATE EF.KEYXFER, ciphered under the current KIc; msgs-rekey.csv)");
	terminal(d, 2, "msgs-rekey.csv", "por-rekey.csv", NULL, "B.db", NULL);
	rc = delivery(d, "operator B", "B.db", "rekey-3a", "por-rekey.csv", &refresh);
	expect(d, rc, "B's rekey PoR OK");
	say(d, "operator B", "key transfer", rc ? "keys replaced" : "failed",
	    "with the PoR verified, B's AuC and OTA server use the new keys; A's copy is "
	    "worthless now");
	attach_at(d, "operator B", 2, "B.db", NULL, 1, " -- with B's own new keys");
}

/* ------------------------------------------------------------------ */

static void find_tools(struct demo *d, const char *argv0)
{
	char self[PATH_MAX], probe[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	(void)argv0;
	d->bin[0] = '\0';
	if (n <= 0)
		return;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash == NULL)
		return;
	*slash = '\0';
	snprintf(probe, sizeof(probe), "%s/uicc-term", self);
	if (access(probe, X_OK) == 0)
		snprintf(d->bin, sizeof(d->bin), "%s", self);
}

static void usage(FILE *f)
{
	fputs("usage: uicc-demo [--json] [--keep] [--reader NAME [--vpcd HOST:PORT]]\n"
	      "Plays TR 33.812's change of operator with the real tools in a temporary\n"
	      "directory: Alternative 3b, the fallback and Alternative 3a.  --reader serves\n"
	      "each card on that PC/SC reader (uicc-card serve --vpcd, default\n"
	      "127.0.0.1:35963) and the terminal uses it there.  --keep leaves the\n"
	      "directory.  exit status: 0 every step went as expected, 1 a step did not,\n"
	      "2 usage error.  See uicc-demo(1).\n", f);
}

static void rm_tree(const char *dir)
{
	pid_t pid = fork();

	if (pid == 0) {
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

int main(int argc, char **argv)
{
	struct demo d;
	char cwd[PATH_MAX];
	int i;

	uk_json_cleansing_alloc();
	memset(&d, 0, sizeof(d));
	d.vpcd = "127.0.0.1:35963";
	d.alt = "-";
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			d.json = 1;
		} else if (strcmp(argv[i], "--keep") == 0) {
			d.keep = 1;
		} else if (strcmp(argv[i], "--reader") == 0 && i + 1 < argc) {
			d.reader = argv[++i];
		} else if (strcmp(argv[i], "--vpcd") == 0 && i + 1 < argc) {
			d.vpcd = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "uicc-demo: unknown argument %s (see --help)\n", argv[i]);
			return 2;
		}
	}
	find_tools(&d, argv[0]);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		cwd[0] = '\0';
	strcpy(d.dir, "/tmp/uicc-demo-XXXXXX");
	if (mkdtemp(d.dir) == NULL || chdir(d.dir) != 0) {
		perror("uicc-demo: temporary directory");
		return 1;
	}
	if (!d.json)
		printf("uicc-demo: TR 33.812 change of operator, in %s%s%s\n\n", d.dir,
		       d.reader ? ", card on reader " : "", d.reader ? d.reader : "");
	if (parties(&d) == 0 && manufacture(&d) == 0) {
		alternative_3b(&d);
		fallback(&d);
		alternative_3a(&d);
	} else {
		d.failures++;
	}
	serve_stop(&d);
	d.alt = "-";
	say(&d, "demo", "summary", d.failures ? "failed" : "ok", "%d unexpected outcome%s%s%s",
	    d.failures, d.failures == 1 ? "" : "s", d.keep || d.failures ? "; files in " : "",
	    d.keep || d.failures ? d.dir : "");
	free(d.out);
	free(d.ev);
	if (cwd[0] != '\0' && chdir(cwd) != 0)
		perror("uicc-demo: chdir");
	if (!d.keep && d.failures == 0)
		rm_tree(d.dir);
	return d.failures ? 1 : 0;
}
