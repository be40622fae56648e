/*
 * sha256.c - SHA-256 as FIPS 180-4 defines it; checked against its test
 * vectors, both ways (C and the processor's SHA instructions), in
 * tests/unit/test_history.c.  Written here rather than taken from a
 * crypto library: probity needs the digest only, and one more dependency
 * for 200 lines is not worth it.
 */
#include <stdatomic.h>
#include <string.h>

#include "sha256.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define PB_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define PB_SHA_NI 0
#endif

static const uint32_t k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * n 64-byte blocks into h, in plain C.  The eight working variables are
 * named, not an array shifted down a place each round: that shift (a
 * memmove a round) held this to 109 MB/s, and an audit's history hashes
 * every input file (801 MB at the 10M-row bench: 8 s).
 */
static void blocks_c(uint32_t h[8], const unsigned char *p, size_t n)
{
	uint32_t w[64];

	for (; n; n--, p += 64) {
		/* FIPS's a..h, with x for h, which names the state here */
		uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], x = h[7];
		for (int i = 0; i < 16; i++)
			w[i] = load_be32(p + 4 * i);
		for (int i = 16; i < 64; i++) {
			uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
			uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
			w[i] = w[i - 16] + s0 + w[i - 7] + s1;
		}
		for (int i = 0; i < 64; i++) {
			uint32_t t1 = x + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
			uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
			x = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
		h[5] += f;
		h[6] += g;
		h[7] += x;
	}
}

#if PB_SHA_NI
/*
 * The same with the x86 SHA extensions, where the processor has them
 * (Intel since Goldmont and Ice Lake, AMD since Zen): about ten times
 * the C.  The state is kept as the instructions want it, (a, b, e, f)
 * and (c, d, g, h); each pass takes four rounds, their message words
 * made from the four groups before by sha256msg1 and sha256msg2
 * (FIPS 180-4's schedule, four words at a time).
 */
__attribute__((target("sha,sse4.1"))) static void blocks_ni(uint32_t h[8], const unsigned char *p,
							   size_t n)
{
	const __m128i big_endian = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i dcba = _mm_loadu_si128((const __m128i *)&h[0]);
	__m128i hgfe = _mm_loadu_si128((const __m128i *)&h[4]);
	__m128i cdab = _mm_shuffle_epi32(dcba, 0xB1), efgh = _mm_shuffle_epi32(hgfe, 0x1B);
	__m128i abef = _mm_alignr_epi8(cdab, efgh, 8), cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);

	for (; n; n--, p += 64) {
		__m128i abef0 = abef, cdgh0 = cdgh, w[4];
		for (int j = 0; j < 16; j++) {
			/* w[j % 4] holds words 4j-16.. until it is made words 4j.. */
			if (j < 4) {
				w[j] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * j)), big_endian);
			} else {
				__m128i s = _mm_sha256msg1_epu32(w[j & 3], w[(j + 1) & 3]);
				s = _mm_add_epi32(s, _mm_alignr_epi8(w[(j + 3) & 3], w[(j + 2) & 3], 4));
				w[j & 3] = _mm_sha256msg2_epu32(s, w[(j + 3) & 3]);
			}
			__m128i wk = _mm_add_epi32(w[j & 3], _mm_loadu_si128((const __m128i *)&k[4 * j]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	__m128i feba = _mm_shuffle_epi32(abef, 0x1B), dchg = _mm_shuffle_epi32(cdgh, 0xB1);
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(feba, dchg, 0xF0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(dchg, feba, 8));
}

/* Has the processor the SHA extensions and SSE4.1 (CPUID leaf 7's EBX
 * bit 29, leaf 1's ECX bit 19)? */
static int cpu_has_sha(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & 1u << 19))
		return 0;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & 1u << 29);
}
#endif

/* 1: the SHA extensions are used, 0: they are not, -1: not asked yet. */
static atomic_int use_ni = -1;

int pb_sha256_accelerated(int allow)
{
#if PB_SHA_NI
	atomic_store_explicit(&use_ni, allow && cpu_has_sha(), memory_order_relaxed);
#else
	(void)allow;
	atomic_store_explicit(&use_ni, 0, memory_order_relaxed);
#endif
	return atomic_load_explicit(&use_ni, memory_order_relaxed);
}

static void blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
	int ni = atomic_load_explicit(&use_ni, memory_order_relaxed);

	if (ni < 0)
		ni = pb_sha256_accelerated(1);
#if PB_SHA_NI
	if (ni) {
		blocks_ni(h, p, n);
		return;
	}
#endif
	blocks_c(h, p, n);
}

void pb_sha256_init(pb_sha256 *s)
{
	static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
	s->nbuf = 0;
}

void pb_sha256_add(pb_sha256 *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	if (!n)
		return; /* data may be NULL then */
	s->len += n;
	if (s->nbuf) {
		size_t take = 64 - s->nbuf < n ? 64 - s->nbuf : n;
		memcpy(s->buf + s->nbuf, p, take);
		s->nbuf += take;
		p += take;
		n -= take;
		if (s->nbuf < 64)
			return;
		blocks(s->h, s->buf, 1);
		s->nbuf = 0;
	}
	if (n >= 64) { /* whole blocks straight from the caller's bytes */
		blocks(s->h, p, n / 64);
		p += n / 64 * 64;
		n %= 64;
	}
	memcpy(s->buf, p, n);
	s->nbuf = n;
}

void pb_sha256_hex(pb_sha256 *s, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	uint64_t bits = s->len * 8;
	unsigned char pad = 0x80, len[8];

	pb_sha256_add(s, &pad, 1);
	pad = 0;
	while (s->nbuf != 56)
		pb_sha256_add(s, &pad, 1);
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	pb_sha256_add(s, len, 8);
	for (int i = 0; i < 32; i++) {
		unsigned b = (s->h[i / 4] >> (24 - 8 * (i % 4))) & 0xff;
		hex[2 * i] = digits[b >> 4];
		hex[2 * i + 1] = digits[b & 15];
	}
	hex[64] = '\0';
}

void pb_sha256_of(const void *p, size_t n, char hex[65])
{
	pb_sha256 s;

	pb_sha256_init(&s);
	pb_sha256_add(&s, p, n);
	pb_sha256_hex(&s, hex);
}
