/*
 * wire.h - a bounds-checked read/write cursor with a sticky error.
 *
 * Every read checks the remaining length first; a read or write past the end
 * sets `err` and every later call becomes a no-op that yields zeroes, so a
 * parser can read a whole structure and check `err` once at the end.
 * Multi-byte integers are big-endian (network order) and go through memcpy,
 * never pointer casts, so unaligned input is safe.
 *
 * Used for untrusted bytes (DHCP packets) and for registry records alike.
 */
#ifndef PB_WIRE_H
#define PB_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wire {
	uint8_t		*p;	/* next byte */
	size_t		 rem;	/* bytes left after p */
	int		 err;	/* sticky: set on the first overrun */
};

static inline void
wire_init(struct wire *w, const void *buf, size_t len)
{
	/* The cursor never writes through a buffer set up for reading. */
	w->p = (uint8_t *)(uintptr_t)buf;
	w->rem = len;
	w->err = 0;
}

static inline int
wire_need(struct wire *w, size_t n)
{
	if (w->err || w->rem < n) {
		w->err = 1;
		return -1;
	}
	return 0;
}

static inline void
wire_skip(struct wire *w, size_t n)
{
	if (wire_need(w, n) == 0) {
		w->p += n;
		w->rem -= n;
	}
}

static inline uint8_t
wire_read_u8(struct wire *w)
{
	uint8_t v = 0;

	if (wire_need(w, 1) == 0) {
		v = w->p[0];
		w->p++;
		w->rem--;
	}
	return v;
}

static inline uint16_t
wire_read_u16(struct wire *w)
{
	uint8_t b[2] = { 0, 0 };

	if (wire_need(w, 2) == 0) {
		memcpy(b, w->p, 2);
		w->p += 2;
		w->rem -= 2;
	}
	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t
wire_read_u32(struct wire *w)
{
	uint8_t b[4] = { 0, 0, 0, 0 };

	if (wire_need(w, 4) == 0) {
		memcpy(b, w->p, 4);
		w->p += 4;
		w->rem -= 4;
	}
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static inline uint64_t
wire_read_u64(struct wire *w)
{
	uint64_t hi = wire_read_u32(w);

	return hi << 32 | wire_read_u32(w);
}

/* Copies n bytes out; on overrun dst is zero-filled. */
static inline void
wire_read(struct wire *w, void *dst, size_t n)
{
	if (wire_need(w, n) == 0) {
		memcpy(dst, w->p, n);
		w->p += n;
		w->rem -= n;
	} else if (n > 0)
		memset(dst, 0, n);
}

static inline void
wire_write_u8(struct wire *w, uint8_t v)
{
	if (wire_need(w, 1) == 0) {
		*w->p++ = v;
		w->rem--;
	}
}

static inline void
wire_write_u16(struct wire *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	if (wire_need(w, 2) == 0) {
		memcpy(w->p, b, 2);
		w->p += 2;
		w->rem -= 2;
	}
}

static inline void
wire_write_u32(struct wire *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
		(uint8_t)(v >> 8), (uint8_t)v };

	if (wire_need(w, 4) == 0) {
		memcpy(w->p, b, 4);
		w->p += 4;
		w->rem -= 4;
	}
}

static inline void
wire_write_u64(struct wire *w, uint64_t v)
{
	wire_write_u32(w, (uint32_t)(v >> 32));
	wire_write_u32(w, (uint32_t)v);
}

static inline void
wire_write(struct wire *w, const void *src, size_t n)
{
	if (n > 0 && wire_need(w, n) == 0) {
		memcpy(w->p, src, n);
		w->p += n;
		w->rem -= n;
	}
}

#endif /* PB_WIRE_H */
