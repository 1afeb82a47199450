/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building blocks the correctness workloads share: a context with its ring
 * size read from /proc/self/maps, destination "slots" with guard mappings
 * on both sides, and a scratch file for real I/O with known data.
 */
#ifndef AIOREMAP_RING_WORK_H
#define AIOREMAP_RING_WORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "aio.h"
#include "ring.h"

/* Syscall return value, or -errno. */
#define RSYS(expr)                          \
	({                                  \
		long r_ = (long)(expr);     \
		r_ < 0 ? -(long)errno : r_; \
	})

struct ring_ctx {
	aio_context_t ctx;
	uintptr_t addr; /* where the ring is now */
	size_t size; /* from the [aio] line in /proc/self/maps */
	struct ring_expect exp;
};

/* io_setup(@nr) and record size, id and nr; -errno or -1 with @why. */
int ring_ctx_setup(struct ring_ctx *r, unsigned int nr, char *why, size_t len);
/* mremap the whole ring to @dst (MREMAP_MAYMOVE|MREMAP_FIXED); -errno. */
long ring_ctx_move(struct ring_ctx *r, uintptr_t dst);
static inline struct aio_ring_hdr *ring_hdr(const struct ring_ctx *r)
{
	return (struct aio_ring_hdr *)r->addr;
}

/* A free hole of @size with guard mappings of @guard bytes on both sides. */
struct ring_slot {
	uintptr_t addr;
	size_t size;
	struct ring_guard lo, hi;
};

int ring_slot_make(struct ring_slot *s, size_t size, size_t guard,
		   uint64_t pattern);
/* Both guards intact; on failure @why names the guard that vanished. */
bool ring_slot_check(const struct ring_slot *s, char *why, size_t len);
void ring_slot_free(struct ring_slot *s);
/*
 * Guards around an existing range (e.g. the ring where io_setup put it),
 * where the neighbourhood is free; a side that is taken gets len 0.
 */
void ring_slot_around(struct ring_slot *s, uintptr_t addr, size_t size,
		      size_t guard, uint64_t pattern);

/*
 * Scratch file for I/O: $AIOREMAP_IO_FILE, else a new unlinked file under
 * /dev/shm, else /tmp. Returns fd or -1. @where receives the path used.
 */
int ring_io_file(size_t len, char *where, size_t wlen);
/* Pattern byte for file offset @off in generation @gen. */
static inline uint8_t ring_pat(uint64_t gen, uint64_t off)
{
	uint64_t x = (off / 8) * 0x9e3779b97f4a7c15ULL ^ gen;

	return (uint8_t)(x >> ((off % 8) * 8));
}
void ring_pat_fill(void *buf, size_t len, uint64_t gen, uint64_t off);
/* Offset of the first wrong byte, or -1. */
long ring_pat_check(const void *buf, size_t len, uint64_t gen, uint64_t off);
void ring_prep(struct iocb *cb, int op, int fd, void *buf, size_t len,
	       uint64_t off, uint64_t data);
/* io_getevents with a timeout in ms (-1: none); result or -errno. */
long ring_getevents(aio_context_t ctx, long min, long max, struct io_event *ev,
		    int timeout_ms);

/* One 4 KiB pwrite on @ctx at @fd and reap it (5 s); 0 or -1 with @why. */
int ring_roundtrip(aio_context_t ctx, int fd, char *why, size_t len);
/*
 * The ring of @r is where @r says, alone of its size among @total [aio]
 * mappings (-1: any number), has a valid header, and a round trip works.
 */
bool ring_ctx_ok(const struct ring_ctx *r, int fd, int total, char *why,
		 size_t len);
#endif
