// SPDX-License-Identifier: GPL-2.0
/*
 * edge: every row of shared/edge-cases.md as a named check. Each case runs
 * in its own child (own process group) under a watchdog (ring_child.h), so
 * an oops-killed task, a hang or a SIGSEGV becomes a verdict. Looped cases
 * run for --duration seconds (bounded in count too). Randomness is seeded:
 * the seed is printed, and --seed (or AIOREMAP_SEED) replays a run.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aio.h"
#include "ktap.h"
#include "ring.h"
#include "ring_child.h"
#include "ring_work.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define WHY 256
#define ERRS(rc) ring_errname((rc) < 0 ? -(rc) : 0)

static uint64_t seed;
static double duration = 2.0;
static int io_fd = -1;

#define SETUP(r, nr)                                              \
	do {                                                      \
		char w_[WHY];                                     \
		if (ring_ctx_setup(&(r), (nr), w_, sizeof(w_))) { \
			rc_diag("setup: %s", w_);                 \
			return;                                   \
		}                                                 \
	} while (0)

#define SLOT(s, size, guard, pat)                                      \
	do {                                                           \
		if (ring_slot_make(&(s), (size), (guard), (pat))) {    \
			rc_diag("setup: cannot place a guarded slot"); \
			return;                                        \
		}                                                      \
	} while (0)

static long xmremap(uintptr_t old, size_t olen, size_t nlen, int flags,
		    uintptr_t dst)
{
	void *p = mremap((void *)old, olen, nlen, flags, (void *)dst);

	return p == MAP_FAILED ? -errno : (long)(uintptr_t)p;
}

static int count_aio(void)
{
	char *maps = ring_maps_read();
	int n = maps ? ring_maps_find_aio(maps, NULL, 0) : -1;

	free(maps);
	return n;
}

static void diag_aio(const char *when)
{
	char *maps = ring_maps_read();
	struct ring_map m[8];
	int n = maps ? ring_maps_find_aio(maps, m, 8) : -1;

	rc_diag("%s: %d [aio] mapping(s)", when, n);
	for (int i = 0; i < n && i < 8; i++)
		rc_diag("%s: [aio] 0x%lx-0x%lx", when,
			(unsigned long)m[i].start, (unsigned long)m[i].end);
	free(maps);
}

/* ---- 1 ------------------------------------------------------------------ */

static void case01(void *arg)
{
	struct ring_ctx r;
	struct ring_slot s;
	char why[WHY] = "";
	uintptr_t old;
	long rc, g, go, d;
	bool ok;

	(void)arg;
	SETUP(r, 128);
	SLOT(s, r.size, ring_page(), seed);
	old = r.addr;
	rc = ring_ctx_move(&r, s.addr);
	g = RSYS(sys_io_getevents(r.ctx, 0, 1, NULL, NULL));
	go = RSYS(sys_io_getevents(old, 0, 1, NULL, NULL));
	rc_diag("mremap(0x%lx, %zu -> 0x%lx) = %s; io_getevents(new) = %s; io_getevents(old) = %s",
		(unsigned long)old, r.size, (unsigned long)s.addr, ERRS(rc),
		ERRS(g), ERRS(go));
	d = RSYS(sys_io_destroy(r.ctx));
	rc_diag("io_destroy(new) = %s", ERRS(d));
	ok = !rc && g == 0 && go == -EINVAL && d == 0;
	if (ok && count_aio() != 0) {
		diag_aio("after io_destroy");
		ok = false;
	}
	if (ok && !ring_slot_check(&s, why, sizeof(why))) {
		rc_diag("%s", why);
		ok = false;
	}
	rc_check(ok, "edge-01-whole-move");
}

/* ---- 2 ------------------------------------------------------------------ */

#define INFLIGHT 32
#define BLK 4096

static void case02(void *arg)
{
	static char bufs[INFLIGHT][BLK] __attribute__((aligned(4096)));
	struct iocb cbs[INFLIGHT], *p[INFLIGHT];
	struct io_event ev[INFLIGHT];
	struct ring_ledger led;
	struct ring_ctx r;
	struct ring_slot s;
	char why[WHY] = "";
	long rc;
	int got = 0, ureaped = 0;
	bool ok = true, uok = true;

	(void)arg;
	SETUP(r, 128);
	SLOT(s, r.size, ring_page(), seed);
	ring_ledger_init(&led, INFLIGHT);
	for (int i = 0; i < INFLIGHT; i++) {
		ring_pat_fill(bufs[i], BLK, seed, (uint64_t)i * BLK);
		ring_prep(&cbs[i], IOCB_CMD_PWRITE, io_fd, bufs[i], BLK,
			  (uint64_t)i * BLK, seed + i);
		ring_ledger_submit(&led, (uintptr_t)&cbs[i], seed + i, BLK);
		p[i] = &cbs[i];
	}
	rc = RSYS(sys_io_submit(r.ctx, INFLIGHT, p));
	rc_diag("io_submit(%d) = %ld; tail now %u", INFLIGHT, rc,
		ring_hdr(&r)->tail);
	if (rc != INFLIGHT)
		return;
	rc = ring_ctx_move(&r, s.addr);
	rc_diag("mremap with %d completions in flight = %s", INFLIGHT,
		ERRS(rc));
	if (rc)
		return;
	if (!ring_check_header(ring_hdr(&r), &r.exp, why, sizeof(why))) {
		rc_diag("header after move: %s", why);
		ok = false;
	}
	rc = ring_getevents(r.ctx, INFLIGHT / 2, INFLIGHT / 2, ev, 5000);
	rc_diag("io_getevents(new, %d) = %ld%s", INFLIGHT / 2, rc,
		rc < 0 ? ERRS(rc) : "");
	if (rc != INFLIGHT / 2)
		ok = false;
	for (long i = 0; i < rc; i++)
		if (!ring_ledger_complete(&led, &ev[i], why, sizeof(why))) {
			rc_diag("kernel reap: %s", why);
			ok = false;
		}
	/* the rest through the ring in user space, like libaio */
	for (double until = ring_now() + 5;
	     got < INFLIGHT / 2 && ring_now() < until;) {
		int n = ring_user_reap(ring_hdr(&r), ev, INFLIGHT, why,
				       sizeof(why));

		if (n < 0) {
			rc_diag("%s", why);
			uok = false;
			break;
		}
		for (int i = 0; i < n; i++)
			if (!ring_ledger_complete(&led, &ev[i], why,
						  sizeof(why))) {
				rc_diag("user reap: %s", why);
				uok = false;
			}
		got += n;
		ureaped += n;
		if (!n)
			usleep(1000);
	}
	rc_diag("user-space reap: %d events", ureaped);
	if (!ring_ledger_finish(&led, why, sizeof(why))) {
		rc_diag("%s", why);
		uok = false;
	}
	/* the kernel must agree with the head we stored */
	if (uok && ring_roundtrip(r.ctx, io_fd, why, sizeof(why))) {
		rc_diag("after user reap: %s", why);
		uok = false;
	}
	/* data written by the moved-ring I/O */
	for (int i = 0; ok && i < INFLIGHT; i++) {
		char rb[BLK];
		long off;

		if (pread(io_fd, rb, BLK, (off_t)i * BLK) != BLK ||
		    (off = ring_pat_check(rb, BLK, seed, (uint64_t)i * BLK)) >=
			    0) {
			rc_diag("data of block %d wrong", i);
			ok = false;
		}
	}
	rc_check(ok, "edge-02-move-inflight");
	rc_check(uok, "edge-02-move-inflight-user-reap");
	sys_io_destroy(r.ctx);
}

/* ---- 3, 8, 9: refused moves ---------------------------------------------- */

/*
 * After a move that must be refused: the ring is still at @r->addr with
 * its size, works, and nothing is at @dst. A move that succeeded is
 * recorded and makes the check fail.
 */
static bool refused(struct ring_ctx *r, const char *what, long rc,
		    uintptr_t dst, size_t dlen)
{
	char why[WHY] = "";

	rc_diag("%s = %s", what, rc < 0 ? ERRS(rc) : "moved");
	if (rc >= 0) {
		diag_aio("after the move");
		if ((uintptr_t)rc != r->addr) {
			r->addr = rc; /* for cleanup */
			r->ctx = rc;
		}
		return false;
	}
	if (rc != -EFAULT && rc != -EINVAL)
		return false;
	if (!ring_ctx_ok(r, io_fd, 1, why, sizeof(why))) {
		rc_diag("after %s: %s", what, why);
		return false;
	}
	if (dst && ring_range_any_mapped(dst, dlen)) {
		rc_diag("after %s: something is mapped at 0x%lx", what,
			(unsigned long)dst);
		return false;
	}
	return true;
}

static void case03(void *arg)
{
	struct ring_ctx r;
	struct ring_slot s;
	size_t pg = ring_page();
	bool ok = true;

	(void)arg;
	SETUP(r, 128);
	SLOT(s, r.size + pg, pg, seed);
	ok &= refused(&r, "mremap grow in place",
		      xmremap(r.addr, r.size, r.size + pg, 0, 0), 0, 0);
	ok &= refused(&r, "mremap grow MAYMOVE",
		      xmremap(r.addr, r.size, r.size + pg, MREMAP_MAYMOVE, 0),
		      0, 0);
	ok &= refused(&r, "mremap grow MAYMOVE|FIXED",
		      xmremap(r.addr, r.size, r.size + pg,
			      MREMAP_MAYMOVE | MREMAP_FIXED, s.addr),
		      s.addr, r.size + pg);
	rc_check(ok && ring_slot_check(&s, NULL, 0), "edge-03-grow");
}

static void partial(bool last, const char *name)
{
	struct ring_ctx r;
	struct ring_slot s, around;
	size_t pg = ring_page();
	char why[WHY] = "";
	uintptr_t src;
	long rc, d;
	bool ok = true;

	SETUP(r, 128);
	if (r.size < 2 * pg) {
		rc_result(KTAP_SKIP, name, "ring has one page");
		return;
	}
	/* guards after the destination as long as the rest of the ring */
	SLOT(s, pg, r.size, seed);
	ring_slot_around(&around, r.addr, r.size, pg, seed + 1);
	src = last ? r.addr + r.size - pg : r.addr;
	rc = xmremap(src, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED, s.addr);
	rc_diag("ring 0x%lx, %zu bytes; mremap of its %s page -> 0x%lx = %s",
		(unsigned long)r.addr, r.size, last ? "last" : "first",
		(unsigned long)s.addr, rc < 0 ? ERRS(rc) : "moved");
	if (rc >= 0) {
		/* the bug: record what io_destroy does now */
		ok = false;
		diag_aio("after the partial move");
		d = RSYS(sys_io_destroy(s.addr));
		rc_diag("io_destroy(new 0x%lx) = %s", (unsigned long)s.addr,
			ERRS(d));
		if (!ring_slot_check(&s, why, sizeof(why)))
			rc_diag("%s", why);
		if (!ring_slot_check(&around, why, sizeof(why)))
			rc_diag("%s", why);
		d = RSYS(sys_io_destroy(r.addr));
		rc_diag("io_destroy(old 0x%lx) = %s", (unsigned long)r.addr,
			ERRS(d));
		diag_aio("after io_destroy");
	} else {
		ok = refused(&r, "partial move", rc, s.addr, pg);
		if (ok && !ring_slot_check(&s, why, sizeof(why))) {
			rc_diag("%s", why);
			ok = false;
		}
		d = RSYS(sys_io_destroy(r.ctx));
		if (d || count_aio()) {
			rc_diag("io_destroy = %s; [aio] left: %d", ERRS(d),
				count_aio());
			ok = false;
		}
		if (ok && (!ring_slot_check(&s, why, sizeof(why)) ||
			   !ring_slot_check(&around, why, sizeof(why)))) {
			rc_diag("after io_destroy: %s", why);
			ok = false;
		}
	}
	rc_check(ok, name);
}

static void case04a(void *arg)
{
	(void)arg;
	partial(false, "edge-04-partial-move-first");
}

static void case04b(void *arg)
{
	(void)arg;
	partial(true, "edge-04-partial-move-last");
}

/* Child after fork: 10 no ring, 11 EINVAL, 12 moved, 13 other errno. */
static int fork_mremap(const struct ring_ctx *r, uintptr_t dst, long *out)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		char *maps = ring_maps_read();
		long rc;

		if (!maps || !ring_maps_aio_size(maps, r->addr))
			_exit(10);
		rc = xmremap(r->addr, r->size, r->size,
			     MREMAP_MAYMOVE | MREMAP_FIXED, dst);
		_exit(rc == -EINVAL ? 11 : rc >= 0 ? 12 : 13);
	}
	if (pid < 0)
		return -1;
	for (double until = ring_now() + 10; ring_now() < until;) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			*out = st;
			return 0;
		}
		usleep(2000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	*out = st;
	return 1;
}

static void case05(void *arg)
{
	struct ring_ctx r;
	struct ring_slot s;
	char why[WHY] = "";
	long st;
	int t;
	bool ok;

	(void)arg;
	SETUP(r, 128);
	SLOT(s, r.size, ring_page(), seed);
	t = fork_mremap(&r, s.addr, &st);
	if (t || !WIFEXITED(st)) {
		rc_diag("child: %s", t ? "hung, killed" : "killed by a signal");
		ok = false;
	} else {
		int c = WEXITSTATUS(st);

		rc_diag("child mremap of the inherited ring: %s",
			c == 10 ? "no ring in the child (VM_DONTCOPY)" :
			c == 11 ? "EINVAL" :
			c == 12 ? "moved (succeeded)" :
				  "other error");
		ok = c == 10 || c == 11;
	}
	if (!ring_ctx_ok(&r, io_fd, 1, why, sizeof(why))) {
		rc_diag("parent's ring after the child: %s", why);
		ok = false;
	}
	rc_check(ok && ring_slot_check(&s, NULL, 0),
		 "edge-05-fork-child-mremap");
}

/* ---- 6 ------------------------------------------------------------------ */

static void case06(void *arg)
{
	int iters = 0, exit0 = 0, segv = 0, bad = 0, hung = 0, err = 0;
	double until = ring_now() + duration;

	(void)arg;
	while (ring_now() < until && iters < 200) {
		struct ring_ctx r;
		int pfd[2], st;
		pid_t pid;
		long d;

		SETUP(r, 8);
		if (pipe(pfd))
			return;
		pid = fork();
		if (pid == 0) {
			volatile struct aio_ring_hdr *h = ring_hdr(&r);
			unsigned long sum = 0;
			char c;

			close(pfd[1]);
			fcntl(pfd[0], F_SETFL, O_NONBLOCK);
			for (int i = 0; i < 100000; i++) {
				sum += h->magic + h->nr + h->head + h->tail;
				if (i % 1000 == 0 && read(pfd[0], &c, 1) == 0)
					break;
			}
			_exit(sum == 0 ? 3 : 0);
		}
		close(pfd[0]);
		d = RSYS(sys_io_destroy(r.ctx));
		if (d)
			err++;
		close(pfd[1]);
		st = 0;
		for (double t = ring_now() + 5;; usleep(1000)) {
			if (waitpid(pid, &st, WNOHANG) == pid)
				break;
			if (ring_now() > t) {
				hung++;
				kill(pid, SIGKILL);
				waitpid(pid, &st, 0);
				break;
			}
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			exit0++;
		else if (WIFSIGNALED(st) &&
			 (WTERMSIG(st) == SIGSEGV || WTERMSIG(st) == SIGBUS))
			segv++;
		else
			bad++;
		iters++;
	}
	rc_diag("%d rounds: child read ok %d, faulted %d, other %d, hung %d; io_destroy errors %d; [aio] left %d",
		iters, exit0, segv, bad, hung, err, count_aio());
	rc_check(iters > 0 && !bad && !hung && !err && count_aio() == 0,
		 "edge-06-fork-read-vs-destroy");
}

/* ---- 7 ------------------------------------------------------------------ */

struct race7 {
	pthread_barrier_t start, done;
	struct ring_ctx r;
	uintptr_t dst;
	long mr, dr;
	atomic_int stop;
};

static void *race7_mremap(void *p)
{
	struct race7 *x = p;

	for (;;) {
		pthread_barrier_wait(&x->start);
		if (atomic_load(&x->stop))
			return NULL;
		x->mr = xmremap(x->r.addr, x->r.size, x->r.size,
				MREMAP_MAYMOVE | MREMAP_FIXED, x->dst);
		pthread_barrier_wait(&x->done);
	}
}

static void *race7_destroy(void *p)
{
	struct race7 *x = p;

	for (;;) {
		pthread_barrier_wait(&x->start);
		if (atomic_load(&x->stop))
			return NULL;
		x->dr = RSYS(sys_io_destroy(x->r.addr));
		pthread_barrier_wait(&x->done);
	}
}

static void case07(void *arg)
{
	static struct race7 x;
	struct ring_slot s;
	pthread_t t1, t2;
	char why[WHY] = "";
	int iters = 0, moved = 0, einval = 0, efault = 0, bad = 0, dead = 0;
	double until = ring_now() + duration;
	bool ok = true;

	(void)arg;
	SETUP(x.r, 8);
	SLOT(s, x.r.size, ring_page(), seed);
	x.dst = s.addr;
	pthread_barrier_init(&x.start, NULL, 3);
	pthread_barrier_init(&x.done, NULL, 3);
	pthread_create(&t1, NULL, race7_mremap, &x);
	pthread_create(&t2, NULL, race7_destroy, &x);
	for (;;) {
		long d2 = 0;

		pthread_barrier_wait(&x.start);
		pthread_barrier_wait(&x.done);
		iters++;
		if (x.mr == (long)x.dst)
			moved++;
		else if (x.mr == -EINVAL)
			einval++;
		else if (x.mr == -EFAULT)
			efault++;
		else
			bad++;
		if (x.dr == -EINVAL) {
			/* the move won: the ring lives at dst */
			d2 = RSYS(sys_io_destroy(x.dst));
			if (d2)
				dead++;
		} else if (x.dr) {
			bad++;
		}
		if (count_aio() != 0 ||
		    ring_range_any_mapped(x.dst, x.r.size) ||
		    !ring_slot_check(&s, why, sizeof(why))) {
			rc_diag("round %d: mremap %s, io_destroy(old) %s, io_destroy(new) %s",
				iters, ERRS(x.mr), ERRS(x.dr), ERRS(d2));
			diag_aio("after the round");
			if (why[0])
				rc_diag("%s", why);
			ok = false;
			break;
		}
		if (ring_now() > until || iters >= 2000)
			break;
		if (ring_ctx_setup(&x.r, 8, why, sizeof(why))) {
			rc_diag("setup: %s", why);
			ok = false;
			break;
		}
	}
	atomic_store(&x.stop, 1);
	pthread_barrier_wait(&x.start);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	rc_diag("%d rounds: mremap moved %d, EINVAL %d, EFAULT %d; unexpected results %d; ring left undestroyable %d",
		iters, moved, einval, efault, bad, dead);
	rc_check(ok && !bad && !dead, "edge-07-mremap-vs-destroy");
}

/* ---- 8, 9 ---------------------------------------------------------------- */

static void case08(void *arg)
{
	struct ring_ctx r;
	struct ring_slot s;
	bool ok = true;

	(void)arg;
	SETUP(r, 128);
	SLOT(s, r.size, ring_page(), seed);
	ok &= refused(&r, "mremap MAYMOVE|DONTUNMAP",
		      xmremap(r.addr, r.size, r.size,
			      MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0),
		      0, 0);
	ok &= refused(&r, "mremap MAYMOVE|FIXED|DONTUNMAP",
		      xmremap(r.addr, r.size, r.size,
			      MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
			      s.addr),
		      s.addr, r.size);
	rc_check(ok && ring_slot_check(&s, NULL, 0), "edge-08-dontunmap");
}

static void case09(void *arg)
{
	struct ring_ctx r;
	struct ring_slot s;
	size_t pg = ring_page();
	uintptr_t home;
	long st, rc;
	bool ok = true;

	(void)arg;
	SETUP(r, 128);
	SLOT(s, r.size + pg, pg, seed);
	home = r.addr;
	ok &= refused(&r, "grow MAYMOVE|FIXED",
		      xmremap(r.addr, r.size, r.size + pg,
			      MREMAP_MAYMOVE | MREMAP_FIXED, s.addr),
		      s.addr, r.size + pg);
	ok &= ok &&
	      refused(&r, "DONTUNMAP to dst",
		      xmremap(r.addr, r.size, r.size,
			      MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
			      s.addr),
		      s.addr, r.size + pg);
	if (ok && !fork_mremap(&r, s.addr, &st) && WIFEXITED(st) &&
	    (WEXITSTATUS(st) == 11 || WEXITSTATUS(st) == 10)) {
		ok &= refused(&r, "move in a forked child", -EINVAL, s.addr,
			      r.size + pg);
	} else if (ok) {
		rc_diag("the forked child's move was not refused (see edge-05): not counted here");
	}
	if (ok) {
		rc = xmremap(r.addr, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED,
			     s.addr);
		if (rc >= 0)
			rc_diag("partial move was not refused (see edge-04): not counted here");
		else
			ok &= refused(&r, "partial move", rc, s.addr,
				      r.size + pg);
	}
	rc_diag("ring home 0x%lx, now 0x%lx", (unsigned long)home,
		(unsigned long)r.addr);
	rc_check(ok && r.addr == home && ring_slot_check(&s, NULL, 0),
		 "edge-09-refused-move-restores");
}

/* ---- 10 ------------------------------------------------------------------ */

static void case10(void *arg)
{
	struct ring_ctx r;
	struct aio_ring_hdr *h;
	char why[WHY] = "";
	long g1, g2, s1, g3, mp;
	bool ok;

	(void)arg;
	SETUP(r, 128);
	h = ring_hdr(&r);
	h->id = r.exp.id ^ 0x40000000u;
	g1 = RSYS(sys_io_getevents(r.ctx, 0, 1, NULL, NULL));
	s1 = RSYS(sys_io_submit(r.ctx, 0, NULL));
	h->id = r.exp.id + 1;
	g2 = RSYS(sys_io_getevents(r.ctx, 0, 1, NULL, NULL));
	h->id = r.exp.id;
	ok = ring_ctx_ok(&r, io_fd, 1, why, sizeof(why));
	rc_diag("ring->id overwritten: io_getevents = %s, io_submit = %s; id+1: io_getevents = %s; restored: %s",
		ERRS(g1), ERRS(s1), ERRS(g2), ok ? "works" : why);
	rc_check(g1 == -EINVAL && s1 == -EINVAL && g2 == -EINVAL && ok,
		 "edge-10-ring-id-overwrite");

	mp = RSYS(mprotect((void *)r.addr, r.size, PROT_NONE));
	g3 = RSYS(sys_io_getevents(r.ctx, 0, 1, NULL, NULL));
	mprotect((void *)r.addr, r.size, PROT_READ | PROT_WRITE);
	ok = ring_ctx_ok(&r, io_fd, 1, why, sizeof(why));
	rc_diag("mprotect(PROT_NONE) = %s; io_getevents = %s; restored: %s",
		ERRS(mp), ERRS(g3), ok ? "works" : why);
	if (mp)
		rc_result(KTAP_SKIP, "edge-10-prot-none",
			  "mprotect of the ring refused");
	else if (g3 == 0 && ring_is_uml())
		rc_result(KTAP_SKIP, "edge-10-prot-none",
			  "UML kernel reads ignore PROT_NONE (io_getevents=0)");
	else
		rc_check(g3 == -EINVAL && ok, "edge-10-prot-none");
}

/* ---- 11 ------------------------------------------------------------------ */

/* Complete @n writes on @ctx, reaping them (if @reap) through the kernel. */
static int drive(aio_context_t ctx, int n, bool reap, struct iocb *keep)
{
	static char buf[512];

	for (int i = 0; i < n; i++) {
		struct iocb cb, *p = keep ? &keep[i] : &cb;
		struct io_event ev;

		ring_prep(p, IOCB_CMD_PWRITE, io_fd, buf, sizeof(buf), 0,
			  0x11000 + i);
		if (sys_io_submit(ctx, 1, &p) != 1)
			return -1;
		if (reap && ring_getevents(ctx, 1, 1, &ev, 5000) != 1)
			return -1;
	}
	return 0;
}

static void case11(void *arg)
{
	struct ring_ctx a, b;
	struct aio_ring_hdr snap, *h;
	struct io_event *evs, got[3];
	struct iocb keep_a[3], keep_b[3];
	size_t evlen;
	uintptr_t home;
	long rc;
	uint32_t tail;
	bool ok = true;

	(void)arg;
	SETUP(a, 1);
	SETUP(b, 1);
	if (a.exp.nr != b.exp.nr) {
		rc_diag("setup: two io_setup(1) rings differ: nr %u vs %u",
			a.exp.nr, b.exp.nr);
		return;
	}
	/* wrap ring A around, then leave 3 completions unreaped */
	if (drive(a.ctx, a.exp.nr + 40, true, NULL) ||
	    drive(a.ctx, 3, false, keep_a) ||
	    drive(b.ctx, b.exp.nr + 40, true, NULL) ||
	    drive(b.ctx, 3, false, keep_b)) {
		rc_diag("setup: I/O failed");
		return;
	}
	snap = *ring_hdr(&a);
	evlen = (size_t)a.exp.nr * sizeof(struct io_event);
	evs = malloc(evlen);
	memcpy(evs, ring_hdr(&a)->io_events, evlen);
	rc_diag("ring A 0x%lx: nr %u head %u tail %u; ring B 0x%lx: head %u tail %u",
		(unsigned long)a.addr, snap.nr, snap.head, snap.tail,
		(unsigned long)b.addr, ring_hdr(&b)->head, ring_hdr(&b)->tail);
	/* restore: copy the events, drop A, move B onto A's address */
	memcpy(ring_hdr(&b)->io_events, evs, evlen);
	home = a.addr;
	rc = RSYS(sys_io_destroy(a.ctx));
	rc_diag("io_destroy(A) = %s", ERRS(rc));
	rc = ring_ctx_move(&b, home);
	rc_diag("mremap(B -> A's address 0x%lx) = %s", (unsigned long)home,
		ERRS(rc));
	if (rc) {
		rc_check(false, "edge-11-criu-replay");
		return;
	}
	h = ring_hdr(&b);
	if (h->nr != snap.nr || h->head != snap.head || h->tail != snap.tail ||
	    h->magic != snap.magic || h->header_length != snap.header_length ||
	    memcmp(h->io_events, evs, evlen)) {
		rc_diag("restored ring differs: head %u tail %u", h->head,
			h->tail);
		ok = false;
	}
	rc = ring_getevents(home, 3, 3, got, 5000);
	rc_diag("io_getevents(A's address, 3) = %ld%s", rc,
		rc < 0 ? ERRS(rc) : "");
	for (int i = 0; rc == 3 && i < 3; i++)
		if (got[i].obj != (uintptr_t)&keep_a[i] ||
		    got[i].data != keep_a[i].aio_data)
			ok = false;
	ok = ok && rc == 3;
	tail = h->tail;
	if (ok && drive(home, 1, false, keep_b)) {
		rc_diag("io_submit on A's address failed");
		ok = false;
	}
	if (ok && h->tail != (tail + 1) % h->nr) {
		rc_diag("next submit: tail %u (want %u)", h->tail,
			(tail + 1) % h->nr);
		ok = false;
	}
	if (ok && ring_getevents(home, 1, 1, got, 5000) != 1)
		ok = false;
	rc_check(ok, "edge-11-criu-replay");
}

/* ---- 12 ------------------------------------------------------------------ */

static void case12(void *arg)
{
	struct ring_ctx r;
	struct ring_guard gap;
	size_t pg = ring_page();
	char why[WHY] = "";
	long m, g, d;
	bool gap_ok;

	(void)arg;
	SETUP(r, 128);
	m = RSYS(munmap((void *)(r.addr + r.size - pg), pg));
	gap = (struct ring_guard){ .addr = r.addr + r.size - pg,
				   .len = pg,
				   .pattern = seed ^ 0x12 };
	if (ring_guard_map(&gap, false))
		rc_diag("could not map into the gap: %s", ring_errname(errno));
	g = RSYS(sys_io_getevents(r.ctx, 0, 1, NULL, NULL));
	d = RSYS(sys_io_destroy(r.ctx));
	gap_ok = ring_guard_check(&gap, why, sizeof(why));
	rc_diag("probe: munmap(last ring page) = %s; io_getevents = %s; io_destroy = %s; page mapped in the gap: %s; [aio] left: %d",
		ERRS(m), ERRS(g), ERRS(d), gap_ok ? "intact" : why,
		count_aio());
	rc_result(KTAP_PASS, "edge-12-shrink-probe", NULL);
}

/* ---- 13 ------------------------------------------------------------------ */

#define NCTX 64

static void case13(void *arg)
{
	static struct ring_ctx r[NCTX];
	static struct ring_guard g[2 * NCTX + 1];
	int slot_of[NCTX], owner[2 * NCTX];
	const int nslot = 2 * NCTX;
	uint64_t rng = seed ^ 13;
	size_t pg = ring_page(), stride;
	uintptr_t base;
	char why[WHY] = "";
	int rounds = 0, moves = 0, swaps = 0;
	double until = ring_now() + duration;
	bool ok = true;

	(void)arg;
	for (int i = 0; i < NCTX; i++)
		SETUP(r[i], 8);
	stride = r[0].size + pg;
	base = ring_find_free(nslot * stride + pg);
	for (int j = 0; j <= nslot; j++) {
		g[j] = (struct ring_guard){ .addr = base + j * stride,
					    .len = pg,
					    .pattern = seed + j };
		if (ring_guard_map(&g[j], false)) {
			rc_diag("setup: guard %d: %s", j, ring_errname(errno));
			return;
		}
	}
	for (int j = 0; j < nslot; j++)
		owner[j] = -1;
	for (int i = 0; i < NCTX; i++)
		slot_of[i] = -1;
#define SLOTADDR(j) (base + (j)*stride + pg)
	while (ok && (rounds < 2 || ring_now() < until) && rounds < 50) {
		/* move every context, in random order, to a random free slot */
		for (int k = 0; k < NCTX; k++) {
			int i = ring_rng_next(&rng) % NCTX, j;

			do
				j = ring_rng_next(&rng) % nslot;
			while (owner[j] >= 0);
			if (ring_ctx_move(&r[i], SLOTADDR(j))) {
				rc_diag("move ctx %d: %s", i,
					ring_errname(errno));
				ok = false;
				break;
			}
			if (slot_of[i] >= 0)
				owner[slot_of[i]] = -1;
			owner[j] = i;
			slot_of[i] = j;
			moves++;
		}
		/* swap two placed rings through a free slot */
		for (int k = 0; ok && k < 4; k++) {
			int x = ring_rng_next(&rng) % NCTX, y, t, sx, sy;

			y = ring_rng_next(&rng) % NCTX;
			if (x == y || slot_of[x] < 0 || slot_of[y] < 0)
				continue;
			do
				t = ring_rng_next(&rng) % nslot;
			while (owner[t] >= 0);
			sx = slot_of[x];
			sy = slot_of[y];
			ok = !ring_ctx_move(&r[x], SLOTADDR(t)) &&
			     !ring_ctx_move(&r[y], SLOTADDR(sx)) &&
			     !ring_ctx_move(&r[x], SLOTADDR(sy));
			owner[sx] = y;
			owner[sy] = x;
			slot_of[x] = sy;
			slot_of[y] = sx;
			swaps++;
		}
		/* each id resolves to its own ring */
		char *maps = ring_maps_read();

		for (int i = 0; ok && i < NCTX; i++) {
			struct iocb cb, *p = &cb;
			struct io_event ev;
			static char buf[512];

			ok = ring_maps_check_ring(maps, r[i].addr, r[i].size,
						  NCTX, why, sizeof(why)) &&
			     ring_check_header(ring_hdr(&r[i]), &r[i].exp, why,
					       sizeof(why));
			if (!ok)
				break;
			ring_prep(&cb, IOCB_CMD_PWRITE, io_fd, buf, sizeof(buf),
				  0, 0x1300 + i);
			if (sys_io_submit(r[i].ctx, 1, &p) != 1 ||
			    ring_getevents(r[i].ctx, 1, 1, &ev, 5000) != 1 ||
			    ev.obj != (uintptr_t)&cb ||
			    ev.data != 0x1300u + i) {
				snprintf(
					why, sizeof(why),
					"ctx %d at 0x%lx: I/O cross-talk or failure (%s)",
					i, (unsigned long)r[i].addr,
					ring_errname(errno));
				ok = false;
			}
		}
		free(maps);
		for (int j = 0; ok && j <= nslot; j++)
			ok = ring_guard_check(&g[j], why, sizeof(why));
		/* a free slot is no context */
		for (int j = 0; ok && j < nslot; j++)
			if (owner[j] < 0 &&
			    sys_io_getevents(SLOTADDR(j), 0, 1, NULL, NULL) !=
				    -1) {
				snprintf(why, sizeof(why),
					 "io_getevents on empty slot %d works",
					 j);
				ok = false;
			}
		rounds++;
	}
	if (!ok)
		rc_diag("%s", why);
	rc_diag("%d contexts, %d rounds, %d moves, %d swaps", NCTX, rounds,
		moves, swaps);
	rc_check(ok, "edge-13-many-contexts");
}

/* ---- 14 ------------------------------------------------------------------ */

#define NSUB 3
#define PERTHR 8

struct iob {
	struct iocb cb;
	atomic_int busy;
	char buf[512];
};

static struct {
	struct ring_ctx r;
	struct ring_slot s[2];
	_Atomic uintptr_t cur;
	atomic_uint gen;
	atomic_int stop;
	pthread_mutex_t lock;
	struct ring_ledger led;
	struct iob io[NSUB * PERTHR];
	atomic_long submits, stale, unjustified, other, remaps;
} c14;

static void c14_reaped(struct io_event *ev, long n)
{
	char why[WHY];

	pthread_mutex_lock(&c14.lock);
	for (long i = 0; i < n; i++) {
		bool ok = ring_ledger_complete(&c14.led, &ev[i], why,
					       sizeof(why));
		uintptr_t o = ev[i].obj, lo = (uintptr_t)&c14.io[0];

		if (ok && o >= lo && o < lo + sizeof(c14.io))
			atomic_store(&c14.io[(o - lo) / sizeof(c14.io[0])].busy,
				     0);
	}
	pthread_mutex_unlock(&c14.lock);
}

static void c14_einval(unsigned g0, unsigned g1)
{
	if ((g0 & 1) || g0 != g1)
		atomic_fetch_add(&c14.stale, 1);
	else
		atomic_fetch_add(&c14.unjustified, 1);
}

static void *c14_submitter(void *p)
{
	int t = (int)(intptr_t)p, k = 0;
	uint64_t seq = 0;

	while (!atomic_load(&c14.stop)) {
		struct iob *b = &c14.io[t * PERTHR + k];
		struct iocb *cbp = &b->cb;
		struct io_event ev[16];
		unsigned g0, g1;
		uintptr_t a;
		long rc;

		k = (k + 1) % PERTHR;
		if (!atomic_load(&b->busy)) {
			uint64_t data = ((uint64_t)t << 48) | seq++;

			ring_prep(&b->cb, IOCB_CMD_PWRITE, io_fd, b->buf,
				  sizeof(b->buf), 512 * (t * PERTHR + k), data);
			atomic_store(&b->busy, 1);
			pthread_mutex_lock(&c14.lock);
			ring_ledger_submit(&c14.led, (uintptr_t)cbp, data,
					   sizeof(b->buf));
			pthread_mutex_unlock(&c14.lock);
			g0 = atomic_load(&c14.gen);
			a = atomic_load(&c14.cur);
			rc = RSYS(sys_io_submit(a, 1, &cbp));
			g1 = atomic_load(&c14.gen);
			if (rc == 1) {
				atomic_fetch_add(&c14.submits, 1);
			} else {
				pthread_mutex_lock(&c14.lock);
				ring_ledger_cancel(&c14.led, (uintptr_t)cbp);
				pthread_mutex_unlock(&c14.lock);
				atomic_store(&b->busy, 0);
				if (rc == -EINVAL)
					c14_einval(g0, g1);
				else if (rc != -EAGAIN)
					atomic_fetch_add(&c14.other, 1);
			}
		}
		g0 = atomic_load(&c14.gen);
		a = atomic_load(&c14.cur);
		rc = ring_getevents(a, 0, 16, ev, 0);
		g1 = atomic_load(&c14.gen);
		if (rc > 0)
			c14_reaped(ev, rc);
		else if (rc == -EINVAL)
			c14_einval(g0, g1);
		else if (rc < 0)
			atomic_fetch_add(&c14.other, 1);
	}
	return NULL;
}

static void *c14_remapper(void *p)
{
	int w = 0;

	(void)p;
	while (!atomic_load(&c14.stop)) {
		long rc;

		w ^= 1;
		atomic_fetch_add(&c14.gen, 1); /* odd: moving */
		rc = ring_ctx_move(&c14.r, c14.s[w].addr);
		if (!rc)
			atomic_store(&c14.cur, c14.r.addr);
		atomic_fetch_add(&c14.gen, 1);
		if (rc) {
			atomic_fetch_add(&c14.other, 1);
			break;
		}
		atomic_fetch_add(&c14.remaps, 1);
		usleep(50);
	}
	return NULL;
}

static void case14(void *arg)
{
	pthread_t sub[NSUB], rem;
	char why[WHY] = "";
	bool ok = true;

	(void)arg;
	SETUP(c14.r, 256);
	SLOT(c14.s[0], c14.r.size, ring_page(), seed);
	SLOT(c14.s[1], c14.r.size, ring_page(), seed + 1);
	ring_ledger_init(&c14.led, NSUB * PERTHR);
	pthread_mutex_init(&c14.lock, NULL);
	atomic_store(&c14.cur, c14.r.addr);
	for (int t = 0; t < NSUB; t++)
		pthread_create(&sub[t], NULL, c14_submitter,
			       (void *)(intptr_t)t);
	pthread_create(&rem, NULL, c14_remapper, NULL);
	usleep((useconds_t)(duration * 1e6));
	atomic_store(&c14.stop, 1);
	pthread_join(rem, NULL);
	for (int t = 0; t < NSUB; t++)
		pthread_join(sub[t], NULL);
	/* drain what is still in the ring */
	for (double until = ring_now() + 5;
	     c14.led.pending && ring_now() < until;) {
		struct io_event ev[64];
		long rc = ring_getevents(c14.r.ctx, 1, 64, ev, 500);

		if (rc > 0)
			c14_reaped(ev, rc);
		else if (rc < 0)
			break;
	}
	if (!ring_ledger_finish(&c14.led, why, sizeof(why))) {
		rc_diag("%s", why);
		ok = false;
	}
	if (ok && !ring_ctx_ok(&c14.r, io_fd, 1, why, sizeof(why))) {
		rc_diag("ring at the end: %s", why);
		ok = false;
	}
	if (ok && (!ring_slot_check(&c14.s[0], why, sizeof(why)) ||
		   !ring_slot_check(&c14.s[1], why, sizeof(why)))) {
		rc_diag("%s", why);
		ok = false;
	}
	rc_diag("remaps %ld, submits %ld, completions %llu, EINVAL on a stale address %ld, EINVAL on the current address %ld, other errors %ld",
		atomic_load(&c14.remaps), atomic_load(&c14.submits),
		(unsigned long long)c14.led.completed, atomic_load(&c14.stale),
		atomic_load(&c14.unjustified), atomic_load(&c14.other));
	rc_check(ok && atomic_load(&c14.unjustified) == 0 &&
			 atomic_load(&c14.other) == 0 &&
			 atomic_load(&c14.remaps) > 0,
		 "edge-14-concurrent-submit-remap");
}

/* ---- table --------------------------------------------------------------- */

#define CHECKS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static struct ring_case cases[] = {
	{ "edge-01", "whole-ring move to a fixed free address",
	  CHECKS("edge-01-whole-move"), case01, 15, false },
	{ "edge-02", "move with I/O in flight; kernel and user-space reap",
	  CHECKS("edge-02-move-inflight", "edge-02-move-inflight-user-reap"),
	  case02, 15, false },
	{ "edge-03", "grow the ring: refused, ring unchanged",
	  CHECKS("edge-03-grow"), case03, 15, false },
	{ "edge-04a", "partial move of the first page: EINVAL",
	  CHECKS("edge-04-partial-move-first"), case04a, 15, false },
	{ "edge-04b", "partial move of the last page: EINVAL",
	  CHECKS("edge-04-partial-move-last"), case04b, 15, false },
	{ "edge-05", "fork, child mremaps the inherited ring",
	  CHECKS("edge-05-fork-child-mremap"), case05, 20, false },
	{ "edge-06", "fork, child reads the ring while the parent destroys",
	  CHECKS("edge-06-fork-read-vs-destroy"), case06, 0, false },
	{ "edge-07", "threads: mremap racing io_destroy",
	  CHECKS("edge-07-mremap-vs-destroy"), case07, 0, false },
	{ "edge-08", "MREMAP_DONTUNMAP refused", CHECKS("edge-08-dontunmap"),
	  case08, 15, false },
	{ "edge-09", "after refused moves the ring is home",
	  CHECKS("edge-09-refused-move-restores"), case09, 20, false },
	{ "edge-10", "ring->id overwritten or PROT_NONE: EINVAL",
	  CHECKS("edge-10-ring-id-overwrite", "edge-10-prot-none"), case10, 15,
	  false },
	{ "edge-11", "checkpoint/restore replay at the same address",
	  CHECKS("edge-11-criu-replay"), case11, 20, false },
	{ "edge-12", "probe: shrink by munmap, refill the gap, io_destroy",
	  CHECKS("edge-12-shrink-probe"), case12, 15, true },
	{ "edge-13", "64 contexts remapped in random order, with swaps",
	  CHECKS("edge-13-many-contexts"), case13, 0, false },
	{ "edge-14", "submitter threads while another thread remaps",
	  CHECKS("edge-14-concurrent-submit-remap"), case14, 0, false },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static bool selected(const struct ring_case *c, const char *only)
{
	if (!only)
		return true;
	if (!strncmp(c->name, only, strlen(only)))
		return true;
	for (int i = 0; c->checks[i]; i++)
		if (!strcmp(c->checks[i], only) ||
		    !strncmp(c->checks[i], only, strlen(only)))
			return true;
	return false;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: edge [--out DIR] [--seed N] [--duration S] [--only NAME] [--list]\n"
		"Runs every row of edge-cases.md as a named KTAP check, each in a\n"
		"child process with a watchdog.\n"
		"  --seed N       replay a run (default: $AIOREMAP_SEED, else random)\n"
		"  --duration S   seconds for each looped case (default 2)\n"
		"  --only NAME    only cases whose name or check starts with NAME\n"
		"  --list         print the check names and exit\n"
		"Scratch I/O goes to $AIOREMAP_IO_FILE, else /dev/shm, else /tmp.\n"
		"Exit: 0 all passed, 1 a check failed, 2 usage/setup error.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "only", required_argument, NULL, 'O' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *seed_arg = NULL, *only = NULL;
	char where[256];
	int c, n = 0;
	bool list = false;

	while ((c = getopt_long(argc, argv, "o:s:d:O:lh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			break;
		case 's':
			seed_arg = optarg;
			break;
		case 'd':
			duration = atof(optarg);
			if (duration <= 0 || duration > 3600) {
				fprintf(stderr,
					"edge: --duration must be in (0, 3600]\n");
				return 2;
			}
			break;
		case 'O':
			only = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < NCASES; i++) {
		if (!selected(&cases[i], only))
			continue;
		n += rc_count_checks(&cases[i]);
		for (int j = 0; list && cases[i].checks[j]; j++)
			printf("%s\t%s\n", cases[i].checks[j], cases[i].desc);
	}
	if (list)
		return 0;
	if (!n) {
		fprintf(stderr,
			"edge: --only %s matches no case (see --list)\n", only);
		return 2;
	}
	ring_mount_if_init();
	seed = ring_seed(seed_arg);
	io_fd = ring_io_file(1 << 20, where, sizeof(where));
	if (io_fd < 0) {
		fprintf(stderr,
			"edge: cannot create a scratch file in /dev/shm or /tmp; set AIOREMAP_IO_FILE\n");
		return 2;
	}
	ktap_plan(n);
	ktap_diag("seed: %llu", (unsigned long long)seed);
	ktap_diag("duration: %.1f s per looped case; scratch file %s; uml: %s",
		  duration, where, ring_is_uml() ? "yes" : "no");
	for (size_t i = 0; i < NCASES; i++) {
		if (!selected(&cases[i], only))
			continue;
		if (cases[i].timeout_s == 0)
			cases[i].timeout_s = duration + 20;
		ring_case_run(&cases[i], NULL);
	}
	return ktap_exit_status();
}
