// SPDX-License-Identifier: MIT
/*
 * SHA-384: SHA-512's compression function with its own initial value, output cut to six
 * words (FIPS 180-4 §5.3.4, §6.4, §6.5). Written for the freestanding stage: a 16-word
 * rolling message schedule keeps the stack small, and nothing here needs SSE.
 */
#include "stage/sha384.h"

#include <string.h>

/* The first 64 bits of the fractional parts of the cube roots of the first 80 primes
 * (FIPS 180-4 §4.2.3). */
static const uint64_t k512[80] = {
	0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
	0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
	0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
	0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
	0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
	0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
	0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
	0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
	0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
	0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
	0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
	0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
	0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
	0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
	0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
	0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
	0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
	0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
	0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
	0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};

static uint64_t ror(uint64_t x, unsigned int n)
{
	return (x >> n) | (x << (64 - n));
}

static uint64_t load_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return __builtin_bswap64(v);
}

static void store_be64(uint8_t *p, uint64_t v)
{
	v = __builtin_bswap64(v);
	memcpy(p, &v, sizeof(v));
}

#define S0(a)	     (ror(a, 28) ^ ror(a, 34) ^ ror(a, 39))
#define S1(e)	     (ror(e, 14) ^ ror(e, 18) ^ ror(e, 41))
#define s0(w)	     (ror(w, 1) ^ ror(w, 8) ^ ((w) >> 7))
#define s1(w)	     (ror(w, 19) ^ ror(w, 61) ^ ((w) >> 6))
#define CH(e, f, g)  (((e) & (f)) ^ (~(e) & (g)))
#define MAJ(a, b, c) (((a) & (b)) ^ ((a) & (c)) ^ ((b) & (c)))

/* W[t]: the block's words for t < 16, then the message schedule in a 16-word ring. */
#define W(t)                  \
	((t) < 16 ? w[(t)&15] \
		  : (w[(t)&15] += s0(w[((t)-15) & 15]) + s1(w[((t)-2) & 15]) + w[((t)-7) & 15]))

/* One round with the working variables renamed instead of moved (the usual unrolling of
 * FIPS 180-4 §6.4.2 step 3): round t + 1 is ROUND(h, a, b, c, d, e, f, g, t + 1). */
#define ROUND(a, b, c, d, e, f, g, h, t)                                \
	do {                                                            \
		uint64_t t1 = h + S1(e) + CH(e, f, g) + k512[t] + W(t); \
		d += t1;                                                \
		h = t1 + S0(a) + MAJ(a, b, c);                          \
	} while (0)

#define ROUNDS8(t)                                       \
	do {                                             \
		ROUND(a, b, c, d, e, f, g, hh, (t));     \
		ROUND(hh, a, b, c, d, e, f, g, (t) + 1); \
		ROUND(g, hh, a, b, c, d, e, f, (t) + 2); \
		ROUND(f, g, hh, a, b, c, d, e, (t) + 3); \
		ROUND(e, f, g, hh, a, b, c, d, (t) + 4); \
		ROUND(d, e, f, g, hh, a, b, c, (t) + 5); \
		ROUND(c, d, e, f, g, hh, a, b, (t) + 6); \
		ROUND(b, c, d, e, f, g, hh, a, (t) + 7); \
	} while (0)

/* FIPS 180-4 §6.4.2 for one 128-byte block, all 80 rounds unrolled (constant indices let
 * the compiler keep the schedule in registers: about twice as fast as a loop). */
static void compress(uint64_t h[8], const uint8_t *block)
{
	uint64_t w[16], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
			hh = h[7];
	unsigned int t;

	for (t = 0; t < 16; t++)
		w[t] = load_be64(block + 8 * t);
	ROUNDS8(0);
	ROUNDS8(8);
	ROUNDS8(16);
	ROUNDS8(24);
	ROUNDS8(32);
	ROUNDS8(40);
	ROUNDS8(48);
	ROUNDS8(56);
	ROUNDS8(64);
	ROUNDS8(72);
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

void sha384_init(struct sha384_ctx *c)
{
	/* The first 64 bits of the fractional parts of the square roots of the 9th through
	 * 16th primes (FIPS 180-4 §5.3.4). */
	static const uint64_t iv[8] = {
		0xcbbb9d5dc1059ed8ULL, 0x629a292a367cd507ULL, 0x9159015a3070dd17ULL,
		0x152fecd8f70e5939ULL, 0x67332667ffc00b31ULL, 0x8eb44a8768581511ULL,
		0xdb0c2e0d64f98fa7ULL, 0x47b5481dbefa4fa4ULL,
	};

	memcpy(c->h, iv, sizeof(iv));
	c->bytes = 0;
	c->fill = 0;
}

void sha384_update(struct sha384_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	c->bytes += len;
	if (c->fill) {
		size_t n = SHA384_BLOCK_SIZE - c->fill < len ? SHA384_BLOCK_SIZE - c->fill : len;

		memcpy(c->buf + c->fill, p, n);
		c->fill += n;
		p += n;
		len -= n;
		if (c->fill < SHA384_BLOCK_SIZE)
			return;
		compress(c->h, c->buf);
		c->fill = 0;
	}
	/* Whole blocks straight from the input: no copy for the bulk of an image. */
	for (; len >= SHA384_BLOCK_SIZE; p += SHA384_BLOCK_SIZE, len -= SHA384_BLOCK_SIZE)
		compress(c->h, p);
	memcpy(c->buf, p, len);
	c->fill = len;
}

void sha384_final(struct sha384_ctx *c, uint8_t out[SHA384_DIGEST_SIZE])
{
	uint64_t bits = c->bytes << 3;
	unsigned int i;

	/* A 1 bit, zeros, then the 128-bit message length in bits (FIPS 180-4 §5.1.2); the
	 * upper 64 bits of the length are zero for any message we can hold. */
	c->buf[c->fill++] = 0x80;
	if (c->fill > SHA384_BLOCK_SIZE - 16) {
		memset(c->buf + c->fill, 0, SHA384_BLOCK_SIZE - c->fill);
		compress(c->h, c->buf);
		c->fill = 0;
	}
	memset(c->buf + c->fill, 0, SHA384_BLOCK_SIZE - 8 - c->fill);
	store_be64(c->buf + SHA384_BLOCK_SIZE - 8, bits);
	compress(c->h, c->buf);
	for (i = 0; i < SHA384_DIGEST_SIZE / 8; i++)
		store_be64(out + 8 * i, c->h[i]);
}
