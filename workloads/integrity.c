// SPDX-License-Identifier: GPL-2.0
/*
 * integrity: remap the aio ring thousands of times (ping-pong between two
 * slots and fresh random destinations from a seeded PRNG) with real I/O
 * with known data in flight, and after every move check:
 *   integrity-header          magic, features, header_length, nr and id
 *                             unchanged, head and tail < nr
 *   integrity-exactly-once    every completion matches a submitted iocb
 *                             (obj, data, res), none lost or duplicated
 *   integrity-data            reads return what the writes wrote
 *   integrity-maps            exactly one [aio] mapping, of the ring's size,
 *                             at the new address; none left at the end
 *   integrity-guards          guard mappings around the old and the new
 *                             address intact
 *   integrity-userspace-reap  reaping through the ring in user space (as
 *                             libaio and fio's userspace_reap) agrees
 *
 * I/O: buffered pwrite/pread of 4 KiB blocks on a scratch file (tmpfs
 * /dev/shm, else /tmp, or $AIOREMAP_IO_FILE). Buffered aio on tmpfs
 * completes inside io_submit, so "in flight" means completions sitting in
 * the ring, unreaped, while it moves -- the state that must survive. Each
 * in-flight slot owns one block and alternates write (new generation) and
 * read (verify), so data checks need no locking.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "aio.h"
#include "ktap.h"
#include "ring.h"
#include "ring_work.h"

#define BLK 4096
#define MAXQ 64
#define ARENA (64UL << 20)

enum { C_HDR, C_ONCE, C_DATA, C_MAPS, C_GUARDS, C_UREAP, C_N };
static const char *const names[C_N] = {
	"integrity-header", "integrity-exactly-once",
	"integrity-data",   "integrity-maps",
	"integrity-guards", "integrity-userspace-reap",
};
static long fails[C_N];
static long moves;

__attribute__((format(printf, 2, 3))) static void bad(int c, const char *fmt,
						      ...)
{
	char buf[512];
	va_list ap;

	if (fails[c]++ >= 3)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ktap_diag("%s: move %ld: %s", names[c], moves, buf);
}

struct slot {
	struct iocb cb;
	bool busy, is_read;
	uint64_t gen; /* generation of the block's content */
	char *buf;
};

static struct slot q[MAXQ];
static int nq = 16, fd;
static struct ring_ledger led;

static void completed(const struct io_event *ev, int cat)
{
	char why[RING_WHY_LEN];
	uintptr_t lo = (uintptr_t)&q[0], o = ev->obj;
	struct slot *s;
	long off;

	if (!ring_ledger_complete(&led, ev, why, sizeof(why))) {
		bad(cat, "%s", why);
		return;
	}
	if (o < lo || o >= lo + sizeof(q)) /* ledger knew it: cannot be */
		return;
	s = &q[(o - lo) / sizeof(q[0])];
	s->busy = false;
	if (s->is_read &&
	    (off = ring_pat_check_fast(s->buf, BLK, s->gen,
				       (uint64_t)(s - q) * BLK)) >= 0)
		bad(C_DATA, "block %ld: byte %ld wrong (generation %llu)",
		    (long)(s - q), off, (unsigned long long)s->gen);
}

static int top_up(aio_context_t ctx)
{
	struct iocb *p[MAXQ];
	int n = 0;
	long rc;

	for (int i = 0; i < nq; i++) {
		struct slot *s = &q[i];

		if (s->busy)
			continue;
		s->is_read = !s->is_read;
		if (!s->is_read) {
			s->gen++;
			ring_pat_fill_fast(s->buf, BLK, s->gen,
					   (uint64_t)i * BLK);
		} else {
			memset(s->buf, 0, BLK);
		}
		ring_prep(&s->cb, s->is_read ? IOCB_CMD_PREAD : IOCB_CMD_PWRITE,
			  fd, s->buf, BLK, (uint64_t)i * BLK,
			  s->gen * 1000 + i);
		ring_ledger_submit(&led, (uintptr_t)&s->cb, s->cb.aio_data,
				   BLK);
		s->busy = true;
		p[n++] = &s->cb;
	}
	if (!n)
		return 0;
	rc = RSYS(sys_io_submit(ctx, n, p));
	if (rc != n) {
		for (int i = rc > 0 ? rc : 0; i < n; i++) {
			ring_ledger_cancel(&led, (uintptr_t)p[i]);
			q[(struct slot *)p[i] - q].busy = false;
		}
		bad(C_ONCE, "io_submit(0x%lx, %d) = %ld%s%s",
		    (unsigned long)ctx, n, rc, rc < 0 ? " " : "",
		    rc < 0 ? ring_errname(-rc) : "");
		return -1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: integrity [--out DIR] [--seed N] [--duration S] [--max-remaps N]\n"
		"                 [--mode mixed|pingpong|random] [--inflight N]\n"
		"Remaps the aio ring repeatedly with I/O in flight and checks header,\n"
		"exactly-once completions, data, /proc/self/maps and guard mappings\n"
		"after every move (KTAP). Stops at --duration (default 10 s) or after\n"
		"--max-remaps moves. Scratch file: $AIOREMAP_IO_FILE, /dev/shm, /tmp.\n"
		"Exit: 0 all checks passed, 1 a check failed, 2 usage/setup error.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "max-remaps", required_argument, NULL, 'm' },
		{ "mode", required_argument, NULL, 'M' },
		{ "inflight", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *seed_arg = NULL, *out = NULL, *mode = "mixed";
	double duration = 10, t0, now, next_report, el;
	long max_remaps = 0;
	uint64_t seed, rng;
	size_t pg = ring_page();
	struct ring_ctx r;
	struct ring_guard glo, ghi, nlo, nhi, slo[2], shi[2];
	struct ring_maps_reader mr;
	const char *maps;
	uintptr_t arena, pp[2];
	char why[RING_WHY_LEN], where[256];
	int c;

	while ((c = getopt_long(argc, argv, "o:s:d:m:M:q:h", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 's':
			seed_arg = optarg;
			break;
		case 'd':
			duration = atof(optarg);
			break;
		case 'm':
			max_remaps = atol(optarg);
			break;
		case 'M':
			mode = optarg;
			break;
		case 'q':
			nq = atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || duration <= 0 || max_remaps < 0 || nq < 1 ||
	    nq > MAXQ ||
	    (strcmp(mode, "mixed") && strcmp(mode, "pingpong") &&
	     strcmp(mode, "random"))) {
		fprintf(stderr,
			"integrity: bad arguments (--duration > 0, --inflight 1..%d, --mode mixed|pingpong|random)\n",
			MAXQ);
		usage(stderr);
		return 2;
	}
	ring_mount_if_init();
	seed = ring_seed(seed_arg);
	rng = seed;
	fd = ring_io_file((size_t)MAXQ * BLK + (1 << 20), where, sizeof(where));
	if (fd < 0) {
		fprintf(stderr,
			"integrity: cannot create a scratch file in /dev/shm or /tmp; set AIOREMAP_IO_FILE\n");
		return 2;
	}
	for (int i = 0; i < MAXQ; i++)
		if (posix_memalign((void **)&q[i].buf, 4096, BLK))
			return 2;
		else
			q[i].is_read = true; /* so the first I/O is a write */
	ring_ledger_init(&led, MAXQ);
	if (ring_ctx_setup(&r, 64, why, sizeof(why))) {
		fprintf(stderr, "integrity: setup: %s\n", why);
		return 2;
	}
	/* arena: PROT_NONE reservation we move the ring around in */
	arena = (uintptr_t)mmap(NULL, ARENA, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
				0);
	if (arena == (uintptr_t)MAP_FAILED) {
		fprintf(stderr,
			"integrity: cannot reserve %lu MiB of address space\n",
			ARENA >> 20);
		return 2;
	}
	pp[0] = arena + 16 * pg; /* guards and slots well inside the arena */
	pp[1] = arena + ARENA / 2;
	ktap_plan(C_N);
	ktap_diag("seed: %llu", (unsigned long long)seed);
	ktap_diag(
		"ring 0x%lx: %zu bytes, id %u, nr %u; %d in flight; mode %s; scratch %s",
		(unsigned long)r.addr, r.size, r.exp.id, r.exp.nr, nq, mode,
		where);
	/*
	 * The two ping-pong slots keep their guards for the whole run: a
	 * ping-pong move needs no mmap at all, only the mremap into the hole
	 * the ring left there (which the maps text read after that move
	 * showed free). Random destinations get fresh guards.
	 */
	for (int i = 0; i < 2; i++) {
		slo[i] = (struct ring_guard){ .addr = pp[i] - pg,
					      .len = pg,
					      .pattern = ring_rng_next(&rng) };
		shi[i] = (struct ring_guard){ .addr = pp[i] + r.size,
					      .len = pg,
					      .pattern = ring_rng_next(&rng) };
		if (ring_guard_map(&slo[i], true) ||
		    ring_guard_map(&shi[i], true) ||
		    munmap((void *)pp[i], r.size)) {
			fprintf(stderr, "integrity: cannot map guards: %s\n",
				ring_errname(errno));
			return 2;
		}
	}
	ring_maps_reader_init(&mr);
	maps = ring_maps_reread(&mr);
	glo = ghi = (struct ring_guard){ 0 };
	t0 = now = ring_now();
	next_report = t0 + 2;
	for (;;) {
		struct io_event ev[MAXQ];
		uintptr_t old = r.addr, dst;
		bool random;
		long rc;
		int n;

		if (max_remaps && moves >= max_remaps)
			break;
		/* clock_gettime is a real system call in UML: not every move */
		if (!(moves % 16)) {
			now = ring_now();
			if (now - t0 >= duration)
				break;
			if (now >= next_report) {
				ktap_diag("remaps: %ld", moves);
				next_report += 2;
			}
		}
		random = !strcmp(mode, "random") ||
			 (!strcmp(mode, "mixed") && (moves / 64) % 2);
		/*
		 * A destination's guards must not touch the ring's, the slots'
		 * or each other (a free page between), so every guard stays a
		 * mapping of its own that the maps check can demand exactly.
		 */
#define CLASH(a, b) ((a) < (b) + r.size + 3 * pg && (a) + r.size + 3 * pg > (b))
		if (!random) {
			dst = pp[0] == old ? pp[1] : pp[0];
			nlo = slo[dst == pp[1]];
			nhi = shi[dst == pp[1]];
			/* the last maps text (nothing mapped since) */
			if (!ring_maps_check_free(maps, dst, r.size, why,
						  sizeof(why))) {
				bad(C_MAPS, "slot before the move: %s", why);
				break;
			}
		} else {
			do
				dst = arena + 2 * pg +
				      ring_rng_next(&rng) %
					      ((ARENA - r.size - 4 * pg) / pg) *
					      pg;
			while (CLASH(dst, old) || CLASH(dst, pp[0]) ||
			       CLASH(dst, pp[1]));
			/*
			 * One mapping dst-pg..dst+size+pg whose middle the
			 * mremap replaces: the guards end up two mappings.
			 */
			if (mmap((void *)(dst - pg), r.size + 2 * pg,
				 PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				 0) == MAP_FAILED) {
				ktap_diag("setup: cannot map guards: %s",
					  ring_errname(errno));
				return 2;
			}
			nlo = (struct ring_guard){ .addr = dst - pg,
						   .len = pg,
						   .pattern = ring_rng_next(
							   &rng) };
			nhi = (struct ring_guard){ .addr = dst + r.size,
						   .len = pg,
						   .pattern = ring_rng_next(
							   &rng) };
			for (size_t i = 0; i < pg / 8; i++) {
				((uint64_t *)nlo.addr)[i] =
					ring_guard_word(&nlo, i);
				((uint64_t *)nhi.addr)[i] =
					ring_guard_word(&nhi, i);
			}
		}
		if (top_up(r.ctx))
			break;
		rc = ring_ctx_move(&r, dst);
		moves++;
		if (rc) {
			bad(C_MAPS, "mremap(0x%lx -> 0x%lx) = %s",
			    (unsigned long)old, (unsigned long)dst,
			    ring_errname(-rc));
			break;
		}
		if (!ring_check_header(ring_hdr(&r), &r.exp, why, sizeof(why)))
			bad(C_HDR, "%s", why);
		maps = ring_maps_reread(&mr);
		if (!ring_maps_check_ring(maps, dst, r.size, 1, why,
					  sizeof(why)) ||
		    !ring_maps_check_free(maps, old, r.size, why, sizeof(why)))
			bad(C_MAPS, "%s", why);
		if ((glo.len &&
		     !ring_guard_check_maps(maps, &glo, why, sizeof(why))) ||
		    (ghi.len &&
		     !ring_guard_check_maps(maps, &ghi, why, sizeof(why))) ||
		    !ring_guard_check_maps(maps, &nlo, why, sizeof(why)) ||
		    !ring_guard_check_maps(maps, &nhi, why, sizeof(why)))
			bad(C_GUARDS, "%s", why);
		/* give a random neighbourhood back to the arena */
		if (old >= arena && old < arena + ARENA && old != pp[0] &&
		    old != pp[1] &&
		    mmap((void *)(old - pg), r.size + 2 * pg, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				 MAP_FIXED,
			 -1, 0) == MAP_FAILED) {
			ktap_diag("setup: cannot re-reserve 0x%lx",
				  (unsigned long)old);
			return 2;
		}
		glo = nlo;
		ghi = nhi;
		/* reap: kernel on even moves, user space on odd ones */
		if (moves % 2) {
			n = ring_user_reap(ring_hdr(&r), ev, MAXQ, why,
					   sizeof(why));
			if (n < 0)
				bad(C_UREAP, "%s", why);
			for (int i = 0; i < n; i++)
				completed(&ev[i], C_UREAP);
		} else {
			rc = ring_getevents(r.ctx, 0, MAXQ, ev, 0);
			if (rc < 0)
				bad(C_ONCE, "io_getevents(new 0x%lx) = %s",
				    (unsigned long)r.addr, ring_errname(-rc));
			for (long i = 0; i < rc; i++)
				completed(&ev[i], C_ONCE);
		}
		if (fails[C_HDR] || fails[C_MAPS] || fails[C_ONCE] ||
		    fails[C_UREAP] || fails[C_GUARDS] || fails[C_DATA])
			break;
	}
	el = ring_now() - t0;
	/* drain */
	for (double until = ring_now() + 5;
	     led.pending && ring_now() < until;) {
		struct io_event ev[MAXQ];
		long rc = ring_getevents(r.ctx, 1, MAXQ, ev, 500);

		if (rc < 0)
			break;
		for (long i = 0; i < rc; i++)
			completed(&ev[i], C_ONCE);
	}
	if (!ring_ledger_finish(&led, why, sizeof(why)) && !fails[C_ONCE] &&
	    !fails[C_UREAP])
		bad(C_ONCE, "%s", why);
	{
		long d = RSYS(sys_io_destroy(r.ctx));
		const char *text = ring_maps_reread(&mr);
		int left = text ? ring_maps_find_aio(text, NULL, 0) : -1;

		ring_maps_reader_close(&mr);
		if (d || left)
			bad(C_MAPS, "io_destroy(0x%lx) = %s, [aio] left: %d",
			    (unsigned long)r.addr, ring_errname(d ? -d : 0),
			    left);
	}
	ktap_diag("remaps: %ld in %.2f s = %.0f remaps/s; %llu I/Os completed",
		  moves, el, el > 0 ? moves / el : 0,
		  (unsigned long long)led.completed);
	if (out) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/integrity.txt", out);
		f = fopen(path, "w");
		if (f) {
			fprintf(f,
				"seed=%llu\nremaps=%ld\nseconds=%.3f\nremaps_per_s=%.1f\nios=%llu\n",
				(unsigned long long)seed, moves, el,
				el > 0 ? moves / el : 0,
				(unsigned long long)led.completed);
			for (int i = 0; i < C_N; i++)
				fprintf(f, "%s=%ld\n", names[i], fails[i]);
			fclose(f);
		}
	}
	for (int i = 0; i < C_N; i++)
		ktap_check(!fails[i] && moves > 0, names[i]);
	return ktap_exit_status();
}
