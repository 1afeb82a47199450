// SPDX-License-Identifier: GPL-2.0
#include "ring_work.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int ring_ctx_setup(struct ring_ctx *r, unsigned int nr, char *why, size_t len)
{
	char *maps;
	long rc;

	memset(r, 0, sizeof(*r));
	rc = RSYS(sys_io_setup(nr, &r->ctx));
	if (rc) {
		snprintf(why, len, "io_setup(%u) = %s", nr, ring_errname(-rc));
		return rc;
	}
	r->addr = r->ctx;
	maps = ring_maps_read();
	r->size = maps ? ring_maps_aio_size(maps, r->addr) : 0;
	free(maps);
	if (!r->size) {
		snprintf(why, len, "no [aio] line at 0x%lx in /proc/self/maps",
			 (unsigned long)r->addr);
		return -1;
	}
	r->exp.id = ring_hdr(r)->id;
	r->exp.nr = ring_hdr(r)->nr;
	if (!ring_check_header(ring_hdr(r), &r->exp, why, len))
		return -1;
	if (ring_bytes_for_nr(r->exp.nr) != r->size) {
		snprintf(why, len, "[aio] size %zu but header nr %u means %zu",
			 r->size, r->exp.nr, ring_bytes_for_nr(r->exp.nr));
		return -1;
	}
	return 0;
}

long ring_ctx_move(struct ring_ctx *r, uintptr_t dst)
{
	void *p = mremap((void *)r->addr, r->size, r->size,
			 MREMAP_MAYMOVE | MREMAP_FIXED, (void *)dst);

	if (p == MAP_FAILED)
		return -errno;
	r->addr = (uintptr_t)p;
	r->ctx = (aio_context_t)p;
	return 0;
}

int ring_slot_make(struct ring_slot *s, size_t size, size_t guard,
		   uint64_t pattern)
{
	for (int tries = 0; tries < 8; tries++) {
		uintptr_t base = ring_find_free(size + 2 * guard);

		if (!base)
			return -1;
		memset(s, 0, sizeof(*s));
		s->addr = base + guard;
		s->size = size;
		s->lo = (struct ring_guard){ .addr = base,
					     .len = guard,
					     .pattern = pattern };
		s->hi = (struct ring_guard){ .addr = base + guard + size,
					     .len = guard,
					     .pattern = ~pattern };
		if (ring_guard_map(&s->lo, false))
			continue;
		if (ring_guard_map(&s->hi, false)) {
			ring_guard_unmap(&s->lo);
			continue;
		}
		return 0;
	}
	return -1;
}

void ring_slot_around(struct ring_slot *s, uintptr_t addr, size_t size,
		      size_t guard, uint64_t pattern)
{
	memset(s, 0, sizeof(*s));
	s->addr = addr;
	s->size = size;
	s->lo = (struct ring_guard){ .addr = addr - guard,
				     .len = guard,
				     .pattern = pattern };
	s->hi = (struct ring_guard){ .addr = addr + size,
				     .len = guard,
				     .pattern = ~pattern };
	if (ring_guard_map(&s->lo, false))
		s->lo.len = 0;
	if (ring_guard_map(&s->hi, false))
		s->hi.len = 0;
}

bool ring_slot_check(const struct ring_slot *s, char *why, size_t len)
{
	char w[RING_WHY_LEN];

	if (s->lo.len && !ring_guard_check(&s->lo, w, sizeof(w))) {
		snprintf(why, len, "guard below 0x%lx vanished or changed: %s",
			 (unsigned long)s->addr, w);
		return false;
	}
	if (s->hi.len && !ring_guard_check(&s->hi, w, sizeof(w))) {
		snprintf(why, len,
			 "guard above 0x%lx+%zu vanished or changed: %s",
			 (unsigned long)s->addr, s->size, w);
		return false;
	}
	return true;
}

void ring_slot_free(struct ring_slot *s)
{
	ring_guard_unmap(&s->lo);
	ring_guard_unmap(&s->hi);
	s->lo.len = s->hi.len = 0;
}

int ring_io_file(size_t len, char *where, size_t wlen)
{
	const char *env = getenv("AIOREMAP_IO_FILE");
	const char *dirs[] = { "/dev/shm", "/tmp" };
	int fd = -1;

	if (env && *env) {
		fd = open(env, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		snprintf(where, wlen, "%s", env);
	}
	for (size_t i = 0; fd < 0 && i < 2; i++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/aioremap-io.XXXXXX", dirs[i]);
		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0) {
			unlink(path);
			snprintf(where, wlen, "%s", path);
		}
	}
	if (fd >= 0 && ftruncate(fd, len)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

void ring_pat_fill(void *buf, size_t len, uint64_t gen, uint64_t off)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = ring_pat(gen, off + i);
}

long ring_pat_check(const void *buf, size_t len, uint64_t gen, uint64_t off)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		if (p[i] != ring_pat(gen, off + i))
			return (long)i;
	return -1;
}

void ring_prep(struct iocb *cb, int op, int fd, void *buf, size_t len,
	       uint64_t off, uint64_t data)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_lio_opcode = op;
	cb->aio_fildes = fd;
	cb->aio_buf = (uint64_t)(uintptr_t)buf;
	cb->aio_nbytes = len;
	cb->aio_offset = off;
	cb->aio_data = data;
}

long ring_getevents(aio_context_t ctx, long min, long max, struct io_event *ev,
		    int timeout_ms)
{
	struct timespec ts = { timeout_ms / 1000,
			       (timeout_ms % 1000) * 1000000L };

	return RSYS(sys_io_getevents(ctx, min, max, ev,
				     timeout_ms < 0 ? NULL : &ts));
}

int ring_roundtrip(aio_context_t ctx, int fd, char *why, size_t len)
{
	static __thread char buf[4096] __attribute__((aligned(4096)));
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	long rc;

	ring_pat_fill(buf, sizeof(buf), 7, 0);
	ring_prep(&cb, IOCB_CMD_PWRITE, fd, buf, sizeof(buf), 0xf0000, 0xc1a1);
	rc = RSYS(sys_io_submit(ctx, 1, cbs));
	if (rc != 1) {
		snprintf(why, len, "io_submit(0x%lx) = %s", (unsigned long)ctx,
			 rc < 0 ? ring_errname(-rc) : "0");
		return -1;
	}
	rc = ring_getevents(ctx, 1, 1, &ev, 5000);
	if (rc != 1) {
		snprintf(why, len, "io_getevents(0x%lx, 1, 1) = %s",
			 (unsigned long)ctx, rc < 0 ? ring_errname(-rc) : "0");
		return -1;
	}
	if (ev.obj != (uintptr_t)&cb || ev.data != 0xc1a1 ||
	    ev.res != sizeof(buf)) {
		snprintf(why, len, "event obj 0x%llx data 0x%llx res %lld",
			 (unsigned long long)ev.obj,
			 (unsigned long long)ev.data, (long long)ev.res);
		return -1;
	}
	return 0;
}

bool ring_ctx_ok(const struct ring_ctx *r, int fd, int total, char *why,
		 size_t len)
{
	char *maps = ring_maps_read();
	bool ok = ring_maps_check_ring(maps, r->addr, r->size, total, why, len);

	free(maps);
	if (!ok)
		return false;
	if (!ring_check_header(ring_hdr(r), &r->exp, why, len))
		return false;
	return !ring_roundtrip(r->ctx, fd, why, len);
}
