/*
 * bcd.h - the nibble-swapped BCD codings of TS 102 221 / TS 31.102 / TS 23.040:
 * EF.IMSI (TS 31.102 §4.2.2), EF.ICCID (TS 102 221 §13.2), address digits.
 *
 * Contract: encoders take NUL-terminated decimal strings and refuse anything
 * else with a negative return; decoders never write more than outcap bytes
 * including the NUL and refuse non-decimal nibbles before the F filler.
 */
#ifndef UK_BCD_H
#define UK_BCD_H

#include <stddef.h>
#include <stdint.h>

#define UK_IMSI_EF_LEN 9
#define UK_ICCID_EF_LEN 10

/* Swapped BCD: digit 1 in the low nibble of byte 1; odd counts end with F.
 * Returns bytes written or -1. */
int uk_bcd_encode(const char *digits, uint8_t *out, size_t outcap);
/* Decode up to the first F nibble (or the end). Returns digit count or -1. */
int uk_bcd_decode(const uint8_t *in, size_t len, char *out, size_t outcap);

/* EF.IMSI: 6..15 digits -> 9 bytes (unused bytes FF). 0 or -1. */
int uk_imsi_encode(const char *imsi, uint8_t out[UK_IMSI_EF_LEN]);
/* 0 or -1 (bad length byte, bad parity/type nibble, non-decimal digit). */
int uk_imsi_decode(const uint8_t *ef, size_t len, char out[16]);

/* EF.ICCID: up to 20 digits -> 10 bytes padded with F. 0 or -1. */
int uk_iccid_encode(const char *iccid, uint8_t out[UK_ICCID_EF_LEN]);
int uk_iccid_decode(const uint8_t *ef, size_t len, char out[21]);

/* Luhn check digit ('0'..'9') over n digits, or -1 on a non-digit. */
int uk_luhn_digit(const char *digits, size_t n);
/* 1 if the string is all decimal digits and its length is in [min, max]. */
int uk_is_digits(const char *s, size_t min, size_t max);

#endif
