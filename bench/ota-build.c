/*
 * ota-build.c - how many complete OTA command SMS libota builds per second
 * on one core: a fresh AES-128 key pair every packet (KIc for CBC, KID for
 * CMAC), SPI 16 19, a 30-byte compact RFM script, the secured packet, the
 * SMS user data and a whole SMS-DELIVER TPDU.
 *
 * Prints:
 *   ota_packets_per_s N      the full path through libota with a reused
 *                            struct ota_crypto (ota_cmd_build_cx +
 *                            ota_concat_split + ota_sms_deliver_build_seg)
 *   ota_packets_nocx_per_s N the same with ota_cmd_build(), which fetches
 *                            the OpenSSL algorithms on every call
 *   evp_floor_per_s N        the same AES-CBC + AES-CMAC work done directly
 *                            with pre-fetched EVP objects and reused
 *                            contexts: the crypto floor, for comparison
 *   sms_layers_per_s N       the SMS layers alone (split + TPDU)
 * Not a test: no assertion on speed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "uicckit/secpkt.h"
#include "uicckit/sms.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64: new key material for every packet without a syscall */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static void new_key(uint8_t *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i += 8) {
		uint64_t x = rnd_state;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		rnd_state = x;
		memcpy(k + i, &x, n - i < 8 ? n - i : 8);
	}
}

/* 30-byte compact script: SELECT EF.IMSI, UPDATE BINARY IMSI, READ BINARY */
static const uint8_t script[30] = {
	0x00, 0xa4, 0x00, 0x0c, 0x02, 0x6f, 0x07,
	0x00, 0xd6, 0x00, 0x00, 0x09, 0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98,
	0x00, 0xb0, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00,
};

static volatile uint8_t sink;

/* The full path: new keys, ota_cmd_build[_cx], SMS user data, TPDU.
 * cx NULL measures the convenience API that sets OpenSSL up per call. */
static double run_packets(size_t iters, int use_cx)
{
	struct ota_crypto *cx = use_cx ? ota_crypto_new() : NULL;
	struct ota_cmd_hdr h;
	struct ota_keys k;
	struct ota_sms_deliver d;
	struct ota_sms_seg seg[1];
	uint8_t pkt[160], tp[OTA_SMS_TPDU_MAX];
	size_t i, ns, tn;
	double t0, t;
	int n;

	if (use_cx && cx == NULL)
		return -1;
	memset(&h, 0, sizeof(h));
	h.spi[0] = 0x16;
	h.spi[1] = 0x19;
	h.kic = 0x12;
	h.kid = 0x12;
	h.tar[0] = 0xb0;
	h.tar[2] = 0x01;
	memset(&k, 0, sizeof(k));
	k.kic_key_len = 16;
	k.kid_key_len = 16;
	ota_sms_deliver_init(&d);
	if (ota_sms_addr_set(&d.oa, "+4477001234", 0) < 0)
		return -1;
	t0 = now();
	for (i = 0; i < iters; i++) {
		new_key(k.kic_key, 16);
		new_key(k.kid_key, 16);
		h.cntr = i + 1;
		n = use_cx ? ota_cmd_build_cx(cx, &h, &k, script, sizeof(script), pkt, sizeof(pkt))
			   : ota_cmd_build(&h, &k, script, sizeof(script), pkt, sizeof(pkt));
		if (n < 0 || ota_concat_split(pkt, (size_t)n, OTA_IEI_CPI, 0, 0, seg, 1, &ns) < 0 ||
		    ota_sms_deliver_build_seg(&d, &seg[0], 1, tp, sizeof(tp), &tn) < 0)
			return -1;
		sink ^= tp[tn - 1];
	}
	t = now() - t0;
	OPENSSL_cleanse(&k, sizeof(k));
	ota_crypto_free(cx);
	return (double)iters / t;
}

static double run_evp_floor(size_t iters)
{
	EVP_CIPHER *aes = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
	EVP_MAC *cmac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	EVP_CIPHER_CTX *cctx = EVP_CIPHER_CTX_new();
	EVP_MAC_CTX *mctx = cmac != NULL ? EVP_MAC_CTX_new(cmac) : NULL;
	OSSL_PARAM params[2];
	uint8_t kic[16], kid[16], buf[64], tag[16], iv[16] = { 0 };
	size_t i, tl;
	int ol;
	double t0, t;

	if (aes == NULL || cmac == NULL || cctx == NULL || mctx == NULL)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, "AES-128-CBC", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_CTX_set_params(mctx, params))
		return -1;
	memset(buf, 0x5a, sizeof(buf));
	t0 = now();
	for (i = 0; i < iters; i++) {
		new_key(kic, 16);
		new_key(kid, 16);
		/* CC over the 16-byte header + 30 data + 2 padding = 48 bytes */
		if (!EVP_MAC_init(mctx, kid, 16, NULL) || !EVP_MAC_update(mctx, buf, 48) ||
		    !EVP_MAC_final(mctx, tag, &tl, sizeof(tag)))
			return -1;
		memcpy(buf + 16, tag, 8);
		/* cipher CNTR..padding: 48 bytes */
		if (!EVP_EncryptInit_ex2(cctx, aes, kic, iv, NULL) ||
		    !EVP_CIPHER_CTX_set_padding(cctx, 0) ||
		    !EVP_EncryptUpdate(cctx, buf + 10, &ol, buf + 10, 48))
			return -1;
		sink ^= buf[20];
	}
	t = now() - t0;
	OPENSSL_cleanse(kic, sizeof(kic));
	OPENSSL_cleanse(kid, sizeof(kid));
	EVP_MAC_CTX_free(mctx);
	EVP_MAC_free(cmac);
	EVP_CIPHER_CTX_free(cctx);
	EVP_CIPHER_free(aes);
	return (double)iters / t;
}

static double run_sms_layers(size_t iters)
{
	struct ota_sms_deliver d;
	struct ota_sms_seg seg[1];
	uint8_t pkt[80], tp[OTA_SMS_TPDU_MAX];
	size_t i, ns, tn;
	double t0, t;

	memset(pkt, 0x11, sizeof(pkt));
	ota_sms_deliver_init(&d);
	if (ota_sms_addr_set(&d.oa, "+4477001234", 0) < 0)
		return -1;
	t0 = now();
	for (i = 0; i < iters; i++) {
		pkt[5] = (uint8_t)i;
		if (ota_concat_split(pkt, 74, OTA_IEI_CPI, 0, 0, seg, 1, &ns) < 0 ||
		    ota_sms_deliver_build_seg(&d, &seg[0], 1, tp, sizeof(tp), &tn) < 0)
			return -1;
		sink ^= tp[tn - 1];
	}
	t = now() - t0;
	return (double)iters / t;
}

int main(int argc, char **argv)
{
	size_t iters = argc > 1 ? (size_t)strtoul(argv[1], NULL, 0) : 1000000;
	double r;

	r = run_packets(iters, 1);
	if (r < 0) {
		fprintf(stderr, "ota-build: packet build failed\n");
		return 1;
	}
	printf("ota_packets_per_s %.0f\n", r);
	r = run_packets(iters / 10 + 1, 0);
	if (r < 0) {
		fprintf(stderr, "ota-build: packet build (no context) failed\n");
		return 1;
	}
	printf("ota_packets_nocx_per_s %.0f\n", r);
	r = run_evp_floor(iters);
	if (r < 0) {
		fprintf(stderr, "ota-build: EVP floor failed\n");
		return 1;
	}
	printf("evp_floor_per_s %.0f\n", r);
	r = run_sms_layers(iters * 4);
	if (r < 0) {
		fprintf(stderr, "ota-build: SMS layers failed\n");
		return 1;
	}
	printf("sms_layers_per_s %.0f\n", r);
	return 0;
}
