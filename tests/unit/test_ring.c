// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the ring checkers (workloads/lib/ring.c): header
 * validation, exactly-once bookkeeping, /proc/self/maps parsing, guard
 * verification, user-space reap and ring sizing, against crafted and
 * recorded inputs (tests/fixtures/ring/), corrupt ones included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "ring.h"
#include "ring_work.h"

static char *fixture(const char *name)
{
	char path[256], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "fixtures/ring/%s", name);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
	return buf;
}

/* ---- header ---- */

static struct aio_ring_hdr good_hdr(void)
{
	return (struct aio_ring_hdr){ .id = 0,
				      .nr = 383,
				      .head = 5,
				      .tail = 9,
				      .magic = AIO_RING_MAGIC,
				      .compat_features = 1,
				      .incompat_features = 0,
				      .header_length = 32 };
}

static void test_header_good(void **st)
{
	struct aio_ring_hdr h = good_hdr();
	struct ring_expect e = { 0, 383 };
	char why[RING_WHY_LEN];

	(void)st;
	assert_true(ring_check_header(&h, &e, why, sizeof(why)));
	h.head = h.tail = 382;
	assert_true(ring_check_header(&h, &e, why, sizeof(why)));
	assert_true(ring_check_header(&h, NULL, why, sizeof(why)));
}

static void test_header_corrupt(void **st)
{
	struct ring_expect e = { 0, 383 };
	char why[RING_WHY_LEN];
	struct aio_ring_hdr h;

	(void)st;
#define BAD(field, val, text)                                              \
	do {                                                               \
		h = good_hdr();                                            \
		h.field = (val);                                           \
		assert_false(ring_check_header(&h, &e, why, sizeof(why))); \
		assert_non_null(strstr(why, text));                        \
	} while (0)
	BAD(magic, 0xa10a10a0, "magic");
	BAD(compat_features, 0, "compat_features");
	BAD(incompat_features, 1, "incompat_features");
	BAD(header_length, 64, "header_length");
	BAD(nr, 382, "nr");
	BAD(id, 1, "id");
	BAD(head, 383, "head");
	BAD(head, 0xffffffff, "head");
	BAD(tail, 383, "tail");
	/* nr 0 without an expectation is still wrong */
	h = good_hdr();
	h.nr = 0;
	h.head = h.tail = 0;
	assert_false(ring_check_header(&h, NULL, why, sizeof(why)));
	/* a NULL why is fine */
	h = good_hdr();
	h.magic = 0;
	assert_false(ring_check_header(&h, &e, NULL, 0));
}

static void test_sizes(void **st)
{
	(void)st;
	/* io_setup(128), 1 or 2 CPUs: 258 events -> 3 pages, nr 383 */
	assert_int_equal(ring_bytes_for_setup(128, 1, 4096), 12288);
	assert_int_equal(ring_bytes_for_setup(128, 2, 4096), 12288);
	assert_int_equal(ring_bytes_for_nr(383), 12288);
	/* io_setup(1): max(1, 4*ncpus)*2+2 -> one page, nr 127 */
	assert_int_equal(ring_bytes_for_setup(1, 1, 4096), 4096);
	assert_int_equal(ring_bytes_for_nr(127), 4096);
	/* many CPUs dominate: 64 CPUs -> 514 events -> 5 pages */
	assert_int_equal(ring_bytes_for_setup(1, 64, 4096), 20480);
	/* 127 events + header fit exactly in one page, 128 do not */
	assert_int_equal(ring_bytes_for_setup(62, 1, 4096), 4096);
	assert_int_equal(ring_bytes_for_setup(63, 1, 4096), 8192);
}

/* ---- ledger ---- */

static struct io_event evt(uint64_t obj, uint64_t data, int64_t res)
{
	return (struct io_event){ .obj = obj, .data = data, .res = res };
}

static void test_ledger_good(void **st)
{
	struct ring_ledger l;
	char why[RING_WHY_LEN];
	struct io_event e;

	(void)st;
	assert_int_equal(ring_ledger_init(&l, 4), 0);
	for (int round = 0; round < 1000; round++) {
		for (uint64_t o = 1; o <= 4; o++)
			assert_int_equal(ring_ledger_submit(&l, o * 64,
							    o + round, 4096),
					 0);
		for (uint64_t o = 4; o >= 1; o--) {
			e = evt(o * 64, o + round, 4096);
			assert_true(
				ring_ledger_complete(&l, &e, why, sizeof(why)));
		}
	}
	assert_true(ring_ledger_finish(&l, why, sizeof(why)));
	assert_int_equal(l.completed, 4000);
	ring_ledger_free(&l);
}

static void test_ledger_cancel(void **st)
{
	struct ring_ledger l;
	char why[RING_WHY_LEN];
	struct io_event e = evt(64, 1, 0);

	(void)st;
	ring_ledger_init(&l, 4);
	ring_ledger_submit(&l, 64, 1, 0);
	ring_ledger_cancel(&l, 64);
	assert_true(ring_ledger_finish(&l, why, sizeof(why)));
	/* a completion for a cancelled submit is a duplicate/unknown */
	assert_false(ring_ledger_complete(&l, &e, why, sizeof(why)));
	assert_false(ring_ledger_finish(&l, why, sizeof(why)));
	ring_ledger_free(&l);
}

static void test_ledger_corrupt(void **st)
{
	struct ring_ledger l;
	char why[RING_WHY_LEN];
	struct io_event e;

	(void)st;
	ring_ledger_init(&l, 8);
	ring_ledger_submit(&l, 0x100, 7, 4096);
	ring_ledger_submit(&l, 0x200, 8, 4096);
	ring_ledger_submit(&l, 0x300, 9, 4096);
	ring_ledger_submit(&l, 0x400, 10, 4096);
	/* a still-pending obj cannot be registered twice */
	assert_int_equal(ring_ledger_submit(&l, 0x100, 7, 4096), -1);

	e = evt(0x999, 7, 4096);
	assert_false(ring_ledger_complete(&l, &e, why, sizeof(why)));
	assert_non_null(strstr(why, "unknown"));

	e = evt(0x100, 7, 4096);
	assert_true(ring_ledger_complete(&l, &e, why, sizeof(why)));
	assert_false(ring_ledger_complete(&l, &e, why, sizeof(why)));
	assert_non_null(strstr(why, "duplicate"));

	e = evt(0x200, 99, 4096);
	assert_false(ring_ledger_complete(&l, &e, why, sizeof(why)));
	assert_non_null(strstr(why, "data"));

	e = evt(0x300, 9, -22);
	assert_false(ring_ledger_complete(&l, &e, why, sizeof(why)));
	assert_non_null(strstr(why, "res"));

	/* 0x400 never completes: lost */
	assert_false(ring_ledger_finish(&l, why, sizeof(why)));
	assert_non_null(strstr(why, "lost"));
	assert_int_equal(l.unknown, 1);
	assert_int_equal(l.duplicate, 1);
	assert_int_equal(l.wrong_data, 1);
	assert_int_equal(l.wrong_res, 1);
	assert_int_equal(l.pending, 1);
	ring_ledger_free(&l);
}

static void test_ledger_lost_only(void **st)
{
	struct ring_ledger l;
	char why[RING_WHY_LEN];

	(void)st;
	ring_ledger_init(&l, 2);
	ring_ledger_submit(&l, 1, 1, 1);
	assert_true(ring_ledger_ok(&l));
	assert_false(ring_ledger_finish(&l, why, sizeof(why)));
	ring_ledger_free(&l);
}

/* ---- maps ---- */

static void test_maps_parse(void **st)
{
	struct ring_map m;

	(void)st;
	assert_true(ring_maps_parse_line(
		"7f07fce3d000-7f07fce40000 rw-s 00000000 00:13 39470                      /[aio] (deleted)\n",
		&m));
	assert_int_equal(m.start, 0x7f07fce3d000UL);
	assert_int_equal(m.end, 0x7f07fce40000UL);
	assert_string_equal(m.perms, "rw-s");
	assert_string_equal(m.path, "/[aio] (deleted)");
	assert_true(ring_map_is_aio(&m));
	assert_true(ring_maps_parse_line(
		"004a8000-004ad000 rwxp 00000000 00:00 0 \n", &m));
	assert_string_equal(m.path, "");
	assert_false(ring_map_is_aio(&m));
	assert_true(ring_maps_parse_line(
		"40000000-40003000 rw-s 00000000 00:0c 33 [aio]", &m));
	assert_true(ring_map_is_aio(&m));
	assert_false(ring_maps_parse_line("garbage\n", &m));
	assert_false(ring_maps_parse_line("", &m));
	assert_false(ring_maps_parse_line("2000-1000 rw-p 0 00:00 0\n", &m));
}

static void test_maps_recorded(void **st)
{
	char *n = fixture("maps-native-6.18.txt"),
	     *u = fixture("maps-uml-6.1.txt");
	char *o = fixture("maps-old-style.txt"), why[RING_WHY_LEN];
	struct ring_map m[4];

	(void)st;
	assert_int_equal(ring_maps_find_aio(n, m, 4), 1);
	assert_int_equal(m[0].start, 0x7f07fce3d000UL);
	assert_true(ring_maps_check_ring(n, 0x7f07fce3d000UL, 12288, 1, why,
					 sizeof(why)));
	assert_int_equal(ring_maps_aio_size(n, 0x7f07fce3d000UL), 12288);
	assert_true(ring_maps_check_ring(u, 0x40000000, 12288, 1, why,
					 sizeof(why)));
	assert_true(ring_maps_check_ring(o, 0x40000000, 12288, -1, why,
					 sizeof(why)));
	/* the recorded ring, but asked at the wrong address or size */
	assert_false(ring_maps_check_ring(u, 0x40001000, 12288, 1, why,
					  sizeof(why)));
	assert_false(
		ring_maps_check_ring(u, 0x40000000, 8192, 1, why, sizeof(why)));
	assert_non_null(strstr(why, "12288 bytes"));
	assert_false(ring_maps_check_ring(u, 0x40000000, 12288, 2, why,
					  sizeof(why)));
	/* free-range checks */
	assert_true(
		ring_maps_check_free(u, 0x40003000, 4096, why, sizeof(why)));
	assert_false(
		ring_maps_check_free(u, 0x40002000, 4096, why, sizeof(why)));
	assert_false(
		ring_maps_check_free(u, 0x3ffff000, 8192, why, sizeof(why)));
	assert_int_equal(ring_maps_aio_size(u, 0x40001000), 0);
	free(n);
	free(u);
	free(o);
}

static void test_maps_corrupt(void **st)
{
	char *none = fixture("maps-no-aio.txt"),
	     *two = fixture("maps-two-aio.txt");
	char *part = fixture("maps-partial-move.txt");
	char *wrong = fixture("maps-wrong-size.txt"), why[RING_WHY_LEN];

	(void)st;
	assert_int_equal(ring_maps_find_aio(none, NULL, 0), 0);
	assert_false(ring_maps_check_ring(none, 0x40000000, 12288, 1, why,
					  sizeof(why)));
	assert_non_null(strstr(why, "no [aio]"));

	assert_int_equal(ring_maps_find_aio(two, NULL, 0), 2);
	assert_false(ring_maps_check_ring(two, 0x40000000, 12288, 1, why,
					  sizeof(why)));
	assert_non_null(strstr(why, "2 [aio] mappings in all"));
	/* the ring itself is fine when any number is allowed */
	assert_true(ring_maps_check_ring(two, 0x40000000, 12288, -1, why,
					 sizeof(why)));

	/* after a partial move nothing is a whole ring */
	assert_false(ring_maps_check_ring(part, 0x4003d000, 12288, -1, why,
					  sizeof(why)));
	assert_false(ring_maps_check_ring(part, 0x40037000, 12288, -1, why,
					  sizeof(why)));
	/* an [aio] mapping overlapping the expected range */
	assert_false(ring_maps_check_ring(part, 0x4003d000, 4096, 1, why,
					  sizeof(why)));

	assert_false(ring_maps_check_ring(wrong, 0x40000000, 12288, 1, why,
					  sizeof(why)));
	assert_non_null(strstr(why, "8192 bytes"));
	assert_false(ring_maps_check_ring(NULL, 0x40000000, 12288, 1, why,
					  sizeof(why)));
	free(none);
	free(two);
	free(part);
	free(wrong);
}

/* ---- guards ---- */

static void test_guard_mem(void **st)
{
	struct ring_guard g = { .addr = 0x1000, .len = 64, .pattern = 42 };
	uint64_t mem[8];
	char why[RING_WHY_LEN];

	(void)st;
	for (int i = 0; i < 8; i++)
		mem[i] = ring_guard_word(&g, i);
	assert_true(ring_guard_verify_mem(&g, mem, why, sizeof(why)));
	mem[5] ^= 1;
	assert_false(ring_guard_verify_mem(&g, mem, why, sizeof(why)));
	assert_non_null(strstr(why, "word 5"));
	/* claim (b)'s canary: first 32-bit word is the ring id */
	g.id_word = true;
	g.id = 7;
	assert_int_equal((uint32_t)ring_guard_word(&g, 0), 7);
	assert_int_not_equal(ring_guard_word(&g, 1), ring_guard_word(&g, 2));
}

static void test_guard_live(void **st)
{
	size_t pg = ring_page();
	uintptr_t base = ring_find_free(3 * pg);
	struct ring_guard g = { .addr = base + pg, .len = pg, .pattern = 9 };
	char why[RING_WHY_LEN];

	(void)st;
	assert_true(base != 0);
	assert_int_equal(ring_guard_map(&g, false), 0);
	assert_true(ring_guard_check(&g, why, sizeof(why)));
	assert_true(ring_range_mapped(g.addr, pg));
	assert_false(ring_range_mapped(base, 2 * pg));
	assert_true(ring_range_any_mapped(base, 3 * pg));
	/* a second guard may not replace the first */
	assert_int_not_equal(ring_guard_map(&g, false), 0);
	((uint64_t *)g.addr)[3] = 0;
	assert_false(ring_guard_check(&g, why, sizeof(why)));
	ring_guard_unmap(&g);
	assert_false(ring_guard_check(&g, why, sizeof(why)));
	assert_non_null(strstr(why, "unmapped"));
	assert_false(ring_range_any_mapped(base, 3 * pg));
}

/* maps-based guard checks (integrity): lo 0x40001000+8K, hi 0x40005000+4K */
static const struct ring_guard glo_fx = { .addr = 0x40001000, .len = 8192 };
static const struct ring_guard ghi_fx = { .addr = 0x40005000, .len = 4096 };

static void guard_maps_fails(const char *name, const struct ring_guard *g,
			     const char *want)
{
	char *t = fixture(name), why[RING_WHY_LEN] = "";

	assert_false(ring_maps_check_guard(t, g, why, sizeof(why)));
	if (!strstr(why, want))
		fail_msg("%s: \"%s\" lacks \"%s\"", name, why, want);
	/* the memory is never read when the text says it is not there */
	assert_false(ring_guard_check_maps(t, g, why, sizeof(why)));
	free(t);
}

static void test_guard_maps(void **st)
{
	char *t = fixture("maps-guards.txt"), why[RING_WHY_LEN];
	struct ring_guard g = { .addr = 0x40001000, .len = 4096 };

	(void)st;
	assert_true(ring_maps_check_guard(t, &glo_fx, why, sizeof(why)));
	assert_true(ring_maps_check_guard(t, &ghi_fx, why, sizeof(why)));
	assert_true(
		ring_maps_check_ring(t, 0x40003000, 8192, 1, why, sizeof(why)));
	/* asked with the wrong size or place: not the guard's own mapping */
	assert_false(ring_maps_check_guard(t, &g, why, sizeof(why)));
	assert_non_null(strstr(why, "want exactly the guard"));
	g.addr = 0x40002000;
	assert_false(ring_maps_check_guard(t, &g, why, sizeof(why)));
	g = (struct ring_guard){ .addr = 0x40005000, .len = 8192 };
	assert_false(ring_maps_check_guard(t, &g, why, sizeof(why)));
	/* the ring or the arena are no guards */
	g = (struct ring_guard){ .addr = 0x40003000, .len = 8192 };
	assert_false(ring_maps_check_guard(t, &g, why, sizeof(why)));
	assert_non_null(strstr(why, "rw-s"));
	g = (struct ring_guard){ .addr = 0x40000000, .len = 4096 };
	assert_false(ring_maps_check_guard(t, &g, why, sizeof(why)));
	assert_non_null(strstr(why, "---p"));
	assert_false(ring_maps_check_guard(NULL, &ghi_fx, why, sizeof(why)));
	free(t);

	guard_maps_fails("maps-guard-missing.txt", &glo_fx, "unmapped");
	guard_maps_fails("maps-guard-partial.txt", &glo_fx,
			 "page at +4096 unmapped");
	guard_maps_fails("maps-guard-merged.txt", &ghi_fx,
			 "first 0x40005000-0x40007000");
	guard_maps_fails("maps-guard-prot-none.txt", &ghi_fx,
			 "0x40005000-0x44000000");
	guard_maps_fails("maps-guard-split.txt", &glo_fx, "2 mapping(s)");
	guard_maps_fails("maps-guard-file.txt", &ghi_fx, "/tmp/integrity");
	/* first page gone: nothing covers the guard's start */
	assert_false(ring_maps_check_guard(
		"40002000-40003000 rw-p 00000000 00:00 0 \n", &glo_fx, why,
		sizeof(why)));
	assert_non_null(strstr(why, "page at +0 unmapped"));
	/* a hole in the middle of a 3-page guard */
	g = (struct ring_guard){ .addr = 0x1000, .len = 0x3000 };
	assert_false(ring_maps_check_guard(
		"1000-2000 rw-p 0 00:00 0\n3000-4000 rw-p 0 00:00 0\n", &g, why,
		sizeof(why)));
	assert_non_null(strstr(why, "page at +4096 unmapped"));
	/* READ_IMPLIES_EXEC: rwxp is still a guard */
	assert_true(ring_maps_check_guard("40005000-40006000 rwxp 0 00:00 0\n",
					  &ghi_fx, why, sizeof(why)));
}

static void test_guard_maps_live(void **st)
{
	size_t pg = ring_page();
	uintptr_t base = ring_find_free(4 * pg);
	struct ring_guard g = { .addr = base + pg,
				.len = 2 * pg,
				.pattern = 5 };
	struct ring_maps_reader mr;
	char why[RING_WHY_LEN], *once;
	const char *t;

	(void)st;
	assert_true(base != 0);
	ring_maps_reader_init(&mr);
	assert_int_equal(ring_guard_map(&g, false), 0);
	t = ring_maps_reread(&mr);
	assert_non_null(t);
	once = ring_maps_read();
	assert_non_null(once);
	assert_string_equal(t, once); /* pread from 0 gives the whole text */
	free(once);
	assert_true(ring_guard_check_maps(t, &g, why, sizeof(why)));
	((uint64_t *)g.addr)[3] ^= 1;
	assert_false(ring_guard_check_maps(t, &g, why, sizeof(why)));
	assert_non_null(strstr(why, "word 3"));
	((uint64_t *)g.addr)[3] ^= 1;
	/* second page unmapped: the re-read text must show it */
	munmap((void *)(g.addr + pg), pg);
	t = ring_maps_reread(&mr);
	assert_false(ring_guard_check_maps(t, &g, why, sizeof(why)));
	assert_non_null(strstr(why, "unmapped"));
	munmap((void *)g.addr, pg);
	t = ring_maps_reread(&mr);
	assert_true(ring_maps_check_free(t, base, 4 * pg, why, sizeof(why)));
	ring_maps_reader_close(&mr);
	assert_int_equal(mr.fd, -1);
}

static void test_pat_fast(void **st)
{
	static uint64_t a[512 + 1], b[512 + 1];

	(void)st;
	for (uint64_t gen = 0; gen < 3; gen++) {
		ring_pat_fill(a, 4096, gen * 77, 8192);
		ring_pat_fill_fast(b, 4096, gen * 77, 8192);
		assert_memory_equal(a, b, 4096);
		assert_int_equal(ring_pat_check_fast(a, 4096, gen * 77, 8192),
				 -1);
		/* unaligned offsets take the byte path, same bytes */
		ring_pat_fill((char *)a + 3, 4000, gen, 13);
		ring_pat_fill_fast((char *)b + 3, 4000, gen, 13);
		assert_memory_equal((char *)a + 3, (char *)b + 3, 4000);
		assert_int_equal(
			ring_pat_check_fast((char *)b + 3, 4000, gen, 13), -1);
	}
	ring_pat_fill_fast(b, 4096, 9, 4096);
	((unsigned char *)b)[1234] ^= 0x10;
	assert_int_equal(ring_pat_check_fast(b, 4096, 9, 4096), 1234);
	assert_int_equal(ring_pat_check(b, 4096, 9, 4096), 1234);
	/* another generation or offset is wrong from the first byte on */
	ring_pat_fill_fast(b, 4096, 9, 4096);
	assert_int_equal(ring_pat_check_fast(b, 4096, 10, 4096), 0);
	assert_true(ring_pat_check_fast(b, 4096, 9, 0) >= 0);
}

/* ---- user-space reap ---- */

static void test_user_reap(void **st)
{
	struct aio_ring_hdr *r = calloc(1, 32 + 4 * 32);
	struct io_event ev[8];
	char why[RING_WHY_LEN];

	(void)st;
	*r = good_hdr();
	r->nr = 4;
	r->head = 3;
	r->tail = 1; /* wrapped: events at 3 and 0 */
	for (int i = 0; i < 4; i++)
		r->io_events[i].obj = 100 + i;
	assert_int_equal(ring_user_reap(r, ev, 8, why, sizeof(why)), 2);
	assert_int_equal(ev[0].obj, 103);
	assert_int_equal(ev[1].obj, 100);
	assert_int_equal(r->head, 1);
	assert_int_equal(ring_user_reap(r, ev, 8, why, sizeof(why)), 0);
	/* max bounds the reap */
	r->tail = 0;
	r->head = 1;
	assert_int_equal(ring_user_reap(r, ev, 2, why, sizeof(why)), 2);
	assert_int_equal(r->head, 3);
	/* corrupt indices */
	r->tail = 4;
	assert_int_equal(ring_user_reap(r, ev, 8, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "tail 4"));
	r->tail = 0;
	r->head = 9;
	assert_int_equal(ring_user_reap(r, ev, 8, why, sizeof(why)), -1);
	free(r);
}

static void test_rng(void **st)
{
	uint64_t a = 5, b = 5, c = 6;

	(void)st;
	assert_int_equal(ring_rng_next(&a), ring_rng_next(&b));
	assert_int_not_equal(ring_rng_next(&a), ring_rng_next(&c));
	assert_int_equal(ring_seed("123"), 123);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_good),
		cmocka_unit_test(test_header_corrupt),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_ledger_good),
		cmocka_unit_test(test_ledger_cancel),
		cmocka_unit_test(test_ledger_corrupt),
		cmocka_unit_test(test_ledger_lost_only),
		cmocka_unit_test(test_maps_parse),
		cmocka_unit_test(test_maps_recorded),
		cmocka_unit_test(test_maps_corrupt),
		cmocka_unit_test(test_guard_mem),
		cmocka_unit_test(test_guard_live),
		cmocka_unit_test(test_guard_maps),
		cmocka_unit_test(test_guard_maps_live),
		cmocka_unit_test(test_pat_fast),
		cmocka_unit_test(test_user_reap),
		cmocka_unit_test(test_rng),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
