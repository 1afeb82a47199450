/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checkers for the aio ring, shared by the correctness workloads (claims,
 * integrity, edge) and unit-tested on the host (tests/unit/test_ring.c).
 *
 * Every checker returns true when the property holds and otherwise false
 * with a one-line reason in @why (may be NULL). None of them touches memory
 * that might be unmapped without checking first (mincore).
 */
#ifndef AIOREMAP_RING_H
#define AIOREMAP_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aio.h"

#define RING_WHY_LEN 256
#define RING_HDR_LEN 32u
#define RING_EVENT_LEN 32u

/* ---- ring header ------------------------------------------------------ */

struct ring_expect {
	uint32_t id;
	uint32_t nr;
};

/*
 * Validate a ring header against the invariants (magic, features, header
 * length, head/tail < nr) and the expected id and nr.
 */
bool ring_check_header(const struct aio_ring_hdr *h,
		       const struct ring_expect *e, char *why, size_t whylen);
/* Bytes the kernel maps for a ring whose header says @nr events. */
size_t ring_bytes_for_nr(uint32_t nr);
/*
 * Ring size the kernel allocates for io_setup(@nr_events) on a machine with
 * @ncpus possible CPUs and @page bytes per page:
 *   (max(nr_events, 4 * ncpus) * 2 + 2) events + header, rounded up to pages.
 */
size_t ring_bytes_for_setup(unsigned int nr_events, unsigned int ncpus,
			    size_t page);

/* ---- exactly-once completion bookkeeping ------------------------------ */

struct ring_ledger_entry {
	uint64_t obj;
	uint64_t data;
	int64_t res;
	uint8_t state; /* 0 free, 1 pending, 2 done (tombstone) */
};

struct ring_ledger {
	struct ring_ledger_entry *e;
	size_t cap; /* power of two */
	size_t pending;
	uint64_t submitted, completed;
	uint64_t unknown, duplicate, wrong_data, wrong_res;
	char first_error[RING_WHY_LEN];
};

int ring_ledger_init(struct ring_ledger *l, size_t max_pending);
void ring_ledger_free(struct ring_ledger *l);
/* Register an iocb before submitting it. -1 if obj already pending or full. */
int ring_ledger_submit(struct ring_ledger *l, uint64_t obj, uint64_t data,
		       int64_t res);
/* Undo a registration (the submit failed). */
void ring_ledger_cancel(struct ring_ledger *l, uint64_t obj);
/* Record one completion; false (and counted) if unknown/duplicate/wrong. */
bool ring_ledger_complete(struct ring_ledger *l, const struct io_event *ev,
			  char *why, size_t whylen);
/* At the end: true when nothing is pending and no error was ever seen. */
bool ring_ledger_finish(struct ring_ledger *l, char *why, size_t whylen);
bool ring_ledger_ok(const struct ring_ledger *l);

/* ---- /proc/self/maps ------------------------------------------------- */

struct ring_map {
	uintptr_t start, end;
	char perms[5];
	char path[128];
};

/* Whole /proc/self/maps as a NUL-terminated malloc'd string, NULL on error. */
char *ring_maps_read(void);
/*
 * Reusable reader for hot loops: keeps /proc/self/maps open and re-reads
 * it from offset 0 with pread (seq_file restarts there) into a buffer that
 * is reused, so a read costs no open/close/malloc.
 */
struct ring_maps_reader {
	int fd;
	char *buf;
	size_t cap;
};

void ring_maps_reader_init(struct ring_maps_reader *r);
/* Whole text, NUL-terminated, valid until the next call; NULL on error. */
const char *ring_maps_reread(struct ring_maps_reader *r);
void ring_maps_reader_close(struct ring_maps_reader *r);
/* Parse one maps line. */
bool ring_maps_parse_line(const char *line, struct ring_map *m);
/* Is this mapping an aio ring? ("[aio]" or "/[aio] (deleted)") */
bool ring_map_is_aio(const struct ring_map *m);
/* Count [aio] mappings; up to @max of them are stored into @out. */
int ring_maps_find_aio(const char *text, struct ring_map *out, int max);
/*
 * Exactly one [aio] mapping starting at @addr, of @size bytes, and no other
 * [aio] mapping overlapping [addr, addr+size). If @total >= 0, also exactly
 * @total [aio] mappings in all.
 */
bool ring_maps_check_ring(const char *text, uintptr_t addr, size_t size,
			  int total, char *why, size_t whylen);
/* Nothing at all mapped overlapping [addr, addr+len). */
bool ring_maps_check_free(const char *text, uintptr_t addr, size_t len,
			  char *why, size_t whylen);
/* Size of the [aio] mapping starting at @addr, 0 if none. */
size_t ring_maps_aio_size(const char *text, uintptr_t addr);

/* ---- guard ("canary") mappings ---------------------------------------- */

struct ring_guard {
	uintptr_t addr;
	size_t len;
	uint64_t pattern;
	bool id_word; /* first 32-bit word is @id (claim b's canary) */
	uint32_t id;
};

/* Content word @i of a guard (what must be there). */
uint64_t ring_guard_word(const struct ring_guard *g, size_t i);
/* Map @g at its fixed address (MAP_FIXED_NOREPLACE unless @replace). */
int ring_guard_map(struct ring_guard *g, bool replace);
/* Still mapped (every page) and still holding its content. */
bool ring_guard_check(const struct ring_guard *g, char *why, size_t whylen);
void ring_guard_unmap(struct ring_guard *g);
/*
 * Guard presence from a maps text instead of mincore: exactly one mapping
 * overlaps the guard and it is the guard's own -- private anonymous rw-p
 * (or rwxp), starting at @g->addr and @g->len long (a guard that merged
 * with, or was split from, something else fails).
 */
bool ring_maps_check_guard(const char *text, const struct ring_guard *g,
			   char *why, size_t whylen);
/*
 * ring_maps_check_guard then the content (memory is read only after the
 * text showed it mapped; @text must be read after the last mapping change).
 */
bool ring_guard_check_maps(const char *text, const struct ring_guard *g,
			   char *why, size_t whylen);
/* Is every page of [addr, addr+len) mapped? (mincore) */
bool ring_range_mapped(uintptr_t addr, size_t len);
/* Is any page of [addr, addr+len) mapped? */
bool ring_range_any_mapped(uintptr_t addr, size_t len);
/* Compare memory at @addr with what a guard would hold (pure, testable). */
bool ring_guard_verify_mem(const struct ring_guard *g, const void *mem,
			   char *why, size_t whylen);

/* ---- user-space reap (libaio / fio userspace_reap) -------------------- */

/*
 * Reap up to @max events from the ring mapped at @ring as libaio does:
 * read head and tail, copy events, store the new head. Returns the number
 * reaped, or -1 with @why if head/tail are out of range.
 */
int ring_user_reap(struct aio_ring_hdr *ring, struct io_event *ev, int max,
		   char *why, size_t whylen);

/* ---- I/O data pattern, a word at a time ------------------------------- */

/*
 * Same bytes as ring_pat_fill/ring_pat_check (ring_work.h), eight at a
 * time when @buf, @off and @len are multiples of 8 (else byte by byte).
 */
void ring_pat_fill_fast(void *buf, size_t len, uint64_t gen, uint64_t off);
/* Offset of the first wrong byte, or -1. */
long ring_pat_check_fast(const void *buf, size_t len, uint64_t gen,
			 uint64_t off);

/* ---- misc -------------------------------------------------------------- */

/* splitmix64: seeded, reproducible randomness for every workload. */
uint64_t ring_rng_next(uint64_t *state);
/* Seed: @arg if set, else $AIOREMAP_SEED, else time-based. */
uint64_t ring_seed(const char *arg);
/*
 * Reserve @len bytes of free address space (mmap then munmap): a hint for
 * MAP_FIXED_NOREPLACE placements; 0 on error.
 */
uintptr_t ring_find_free(size_t len);
double ring_now(void);
size_t ring_page(void);
/* True when running under User-Mode Linux (/proc/cpuinfo says so). */
bool ring_is_uml(void);
/* If we are pid 1 (a hand-started UML guest), mount /proc and a /tmp. */
void ring_mount_if_init(void);
const char *ring_errname(int err);

#endif
