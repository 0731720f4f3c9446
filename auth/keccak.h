/*
 * keccak.h - the Keccak-p[1600, 24] permutation (FIPS 202 §3), which TUAK
 * (TS 35.231) uses directly.  OpenSSL 3 exposes SHA-3 and SHAKE but not the
 * bare permutation, so this small module provides it; its tests drive it as
 * a SHA3-256 sponge and compare with OpenSSL.  The state is 200 bytes,
 * lanes little-endian as FIPS 202 lays them out.
 */
#ifndef UK_KECCAK_H
#define UK_KECCAK_H

#include <stdint.h>

void uk_keccak_p1600(uint8_t state[200]);

#endif
