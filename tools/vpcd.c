/* vpcd.c - see vpcd.h */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tools/vpcd.h"

#define UK_ATR_MAX 33

int uk_vpcd_handle(const struct uk_vpcd_card *card, void *ctx, int *powered,
		   uint8_t *atr, size_t *atr_len, const uint8_t *payload, size_t len,
		   uint8_t *out, size_t cap, struct uk_vpcd_stats *st)
{
	size_t n;

	if (len == 0)
		return -1;
	if (len == 1) {
		switch (payload[0]) {
		case UK_VPCD_POWER_OFF:
			if (*powered)
				card->power_off(ctx);
			*powered = 0;
			return 0;
		case UK_VPCD_POWER_ON:
		case UK_VPCD_RESET:
			*atr_len = card->power_on(ctx, atr, UK_ATR_MAX);
			*powered = 1;
			st->resets++;
			return 0;
		case UK_VPCD_GET_ATR:
			if (!*powered || *atr_len == 0) {
				*atr_len = card->power_on(ctx, atr, UK_ATR_MAX);
				*powered = 1;
			}
			memcpy(out, atr, *atr_len);
			return (int)*atr_len;
		default:
			return 0;	/* unknown control code: ignored */
		}
	}
	if (!*powered) {
		*atr_len = card->power_on(ctx, atr, UK_ATR_MAX);
		*powered = 1;
	}
	n = card->transmit(ctx, payload, len, out, cap);
	if (n < 2 || n > UK_VPCD_FRAME_MAX) {
		/* The frame length field is 16 bits: never send a bad frame. */
		out[0] = 0x6f;
		out[1] = 0x00;
		n = 2;
	}
	st->apdus++;
	return (int)n;
}

static void quickack(int fd)
{
	int one = 1;

	/* Debian's vpcd writes length and payload separately with Nagle on:
	 * without re-arming quick ACKs after every recv each APDU waits for
	 * the delayed-ACK timer (~40 ms). */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

/* Read exactly n bytes; 1 ok, 0 peer closed, -1 error, 2 stopped. */
static int read_full(int fd, uint8_t *p, size_t n, volatile sig_atomic_t *stop)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;
		int pr;

		if (*stop)
			return 2;
		pr = poll(&pfd, 1, 200);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return -1;
		if (pr == 0)
			continue;
		r = recv(fd, p + got, n - got, 0);
		quickack(fd);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return got == 0 ? 0 : -1;
		got += (size_t)r;
	}
	return 1;
}

static int send_frame(int fd, const uint8_t *p, size_t n)
{
	uint8_t buf[UK_VPCD_FRAME_MAX + 2];
	size_t off = 0;

	buf[0] = (uint8_t)(n >> 8);
	buf[1] = (uint8_t)n;
	memcpy(buf + 2, p, n);
	n += 2;
	while (off < n) {
		ssize_t w = send(fd, buf + off, n - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

int uk_vpcd_serve_fd(int fd, const struct uk_vpcd_card *card, void *ctx,
		     volatile sig_atomic_t *stop, struct uk_vpcd_stats *st, FILE *log)
{
	static const size_t cap = UK_VPCD_OUT_MAX;
	uint8_t *in = malloc(UK_VPCD_FRAME_MAX), *out = malloc(cap);
	uint8_t hdr[2], atr[UK_ATR_MAX];
	size_t atr_len = 0;
	int powered = 0, rc = -1, one = 1;

	if (in == NULL || out == NULL)
		goto done;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (;;) {
		size_t len;
		int r = read_full(fd, hdr, 2, stop), n;

		if (r != 1) {
			rc = r == 2 ? 1 : r;
			break;
		}
		len = (size_t)hdr[0] << 8 | hdr[1];
		if (len > 0) {
			r = read_full(fd, in, len, stop);
			if (r != 1) {
				rc = r == 2 ? 1 : -1;
				break;
			}
		}
		n = uk_vpcd_handle(card, ctx, &powered, atr, &atr_len, in, len, out, cap, st);
		if (n < 0) {
			if (log != NULL)
				fprintf(log, "vpcd: empty frame ignored\n");
			continue;
		}
		if (n > 0 && send_frame(fd, out, (size_t)n) != 0) {
			rc = -1;
			break;
		}
	}
	if (powered)
		card->power_off(ctx);
done:
	free(in);
	free(out);
	return rc;
}

static int split_hostport(const char *hostport, char *host, size_t hcap, const char **port)
{
	const char *colon = strrchr(hostport, ':');

	if (colon == NULL || colon == hostport || colon[1] == '\0' ||
	    (size_t)(colon - hostport) >= hcap)
		return -1;
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	*port = colon + 1;
	return 0;
}

int uk_vpcd_connect(const char *hostport, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256];
	const char *port;
	int fd = -1, rc;

	if (split_hostport(hostport, host, sizeof(host), &port) != 0) {
		snprintf(err, errlen, "%s: want HOST:PORT", hostport);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", hostport, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		snprintf(err, errlen, "%s: %s", hostport, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int uk_vpcd_run(const char *hostport, const struct uk_vpcd_card *card, void *ctx,
		volatile sig_atomic_t *stop, struct uk_vpcd_stats *st, FILE *log)
{
	char host[256], err[256];
	const char *port;
	long backoff = 100;
	int said = 0;

	if (split_hostport(hostport, host, sizeof(host), &port) != 0)
		return -1;
	while (!*stop) {
		int fd = uk_vpcd_connect(hostport, err, sizeof(err)), r;

		if (fd < 0) {
			if (log != NULL && !said)
				fprintf(log, "vpcd: %s (retrying)\n", err);
			said = 1;
			nap(backoff);
			backoff = backoff * 2 > 2000 ? 2000 : backoff * 2;
			continue;
		}
		st->connects++;
		said = 0;
		backoff = 100;
		if (log != NULL)
			fprintf(log, "vpcd: connected to %s\n", hostport);
		r = uk_vpcd_serve_fd(fd, card, ctx, stop, st, log);
		close(fd);
		if (log != NULL && r != 1)
			fprintf(log, "vpcd: connection to %s closed (reconnecting)\n", hostport);
	}
	return 0;
}
