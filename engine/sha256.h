/*
 * sha256.h - SHA-256 (FIPS 180-4), for the history store: input files are
 * recorded by their digest, findings by a digest of their evidence, and
 * each reviewer decision carries the digest of the one before it.
 */
#ifndef PB_SHA256_H
#define PB_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint32_t h[8];
	uint64_t len;      /* bytes hashed so far */
	unsigned char buf[64];
	size_t nbuf;
} pb_sha256;

void pb_sha256_init(pb_sha256 *s);
void pb_sha256_add(pb_sha256 *s, const void *p, size_t n);
/* Writes 64 lowercase hex digits and a NUL into hex. */
void pb_sha256_hex(pb_sha256 *s, char hex[65]);
/* One call: the digest of p[0..n) as hex. */
void pb_sha256_of(const void *p, size_t n, char hex[65]);
/* Whether the processor's SHA instructions may be used (they are, where
 * there are any, unless a test says 0); returns whether they are. */
int pb_sha256_accelerated(int allow);

#endif
