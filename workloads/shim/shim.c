// SPDX-License-Identifier: GPL-2.0
/*
 * libaioremap-shim.so: an LD_PRELOAD shim that moves the aio ring of an
 * unmodified libaio program (fio) again and again while it does I/O.
 *
 * Interposed (what Debian's fio 3.33 imports from libaio.so.1, plus the
 * rest of libaio's context API): io_setup, io_queue_init, io_submit,
 * io_getevents, io_pgetevents, io_cancel, io_destroy, io_queue_release.
 * The real calls are raw system calls (never libaio's io_getevents, which
 * answers "no events" from user space and would hide the kernel lookup),
 * returning -errno as libaio does.
 *
 * Environment:
 *   AIOREMAP_MODE=none|roundtrip|migrate   (default none: timing only)
 *     roundtrip: every N calls move the ring A->B, do the call on B, move
 *       it back to A. The program's pointer is valid between calls, so
 *       fio's userspace_reap works.
 *     migrate: every N calls move the ring to a fresh (random-hinted)
 *       address and translate the program's ctx to the current one on
 *       every call. The original address is kept as a PROT_NONE guard, so
 *       a program reading the ring through its own pointer (fio's
 *       userspace_reap) faults instead of reading another mapping.
 *   AIOREMAP_EVERY=N           remap before every Nth io_submit/io_getevents
 *                              call on a context (default 16)
 *   AIOREMAP_OUT=dir           write shim-<pid>-<tid>-<n>.tsv there at
 *                              io_destroy (and at exit for live contexts)
 *   AIOREMAP_FORCE_ERROR=stale migrate mode: move the ring but keep using
 *                              the old address (what a kernel without the
 *                              patch looks like); the errors must show.
 *   AIOREMAP_SEED=u64          address hints
 *
 * Per context: log2 histograms (4 sub-buckets per octave) of the rdtsc
 * cycles of each real io_submit and io_getevents, of each remap, and of
 * the shim's own overhead per call (entry to return minus the real call,
 * calls with a remap excluded); counts of calls, I/Os, events, remaps and
 * errors per errno; the first error with the remap count it followed.
 *
 * Concurrency model: fio gives each job (process or thread) its own
 * context. Counters of one context are updated with relaxed atomic
 * loads/stores (no lock prefix), so two threads hammering one context can
 * lose counts but never corrupt memory; remaps take the context's lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/aio_abi.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "aio.h"
#include "shimfmt.h"

#define MAX_CTX 256
#define EXPORT __attribute__((visibility("default")))

enum op { OP_SUBMIT, OP_GETEVENTS, OP_CANCEL, OP_DESTROY, OP_REMAP, NOPS };
static const char *const op_name[NOPS] = { "io_submit", "io_getevents",
					   "io_cancel", "io_destroy",
					   "mremap" };

enum mode { MODE_NONE, MODE_ROUNDTRIP, MODE_MIGRATE };
static const char *const mode_name[] = { "none", "roundtrip", "migrate" };

struct sctx {
	_Atomic uintptr_t user; /* the program's ctx value; 0: free slot */
	_Atomic uintptr_t cur; /* where the ring is now */
	uintptr_t home;
	size_t len;
	unsigned int nr;
	unsigned int seq;
	void *guard; /* migrate: PROT_NONE placeholder at home */
	pthread_mutex_t lock;
	uint64_t calls; /* submit + getevents, drives AIOREMAP_EVERY */
	uint64_t ncalls[NOPS];
	uint64_t submit_ios, events;
	uint64_t remaps, remap_failures, errors;
	uint64_t err[NOPS][SHIM_NERRNO];
	uint64_t hist[SHIM_NHIST][SHIM_NBUCKETS];
	char first_error[128];
};

static struct sctx ctxs[MAX_CTX];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int ctx_seq;

static struct {
	int init;
	enum mode mode;
	unsigned long every;
	int force_stale;
	char out[512];
	uint64_t rng;
} cfg;

static void load_cfg(void)
{
	const char *e;

	if (__atomic_load_n(&cfg.init, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&table_lock);
	if (cfg.init)
		goto out;
	e = getenv("AIOREMAP_MODE");
	if (!e || !*e || !strcmp(e, "none"))
		cfg.mode = MODE_NONE;
	else if (!strcmp(e, "roundtrip"))
		cfg.mode = MODE_ROUNDTRIP;
	else if (!strcmp(e, "migrate"))
		cfg.mode = MODE_MIGRATE;
	else {
		fprintf(stderr,
			"aioremap-shim: error: AIOREMAP_MODE=%s: use none, roundtrip or migrate\n",
			e);
		_exit(2);
	}
	e = getenv("AIOREMAP_EVERY");
	cfg.every = e && *e ? strtoul(e, NULL, 0) : 16;
	if (!cfg.every)
		cfg.mode = MODE_NONE;
	e = getenv("AIOREMAP_FORCE_ERROR");
	cfg.force_stale = e && !strcmp(e, "stale");
	if (cfg.force_stale && cfg.mode != MODE_MIGRATE) {
		fprintf(stderr,
			"aioremap-shim: error: AIOREMAP_FORCE_ERROR=stale needs AIOREMAP_MODE=migrate\n");
		_exit(2);
	}
	e = getenv("AIOREMAP_OUT");
	if (e && *e)
		snprintf(cfg.out, sizeof(cfg.out), "%s", e);
	e = getenv("AIOREMAP_SEED");
	cfg.rng = (e && *e ? strtoull(e, NULL, 0) : 0) ^
		  ((uint64_t)getpid() << 20) ^ __rdtsc();
	cfg.rng |= 1;
	__atomic_store_n(&cfg.init, 1, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&table_lock);
}

/* Relaxed increments: plain mov/add/mov, no lock prefix. */
static inline void inc(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + v,
			 __ATOMIC_RELAXED);
}

static inline void record(struct sctx *c, int h, uint64_t cycles)
{
	inc(&c->hist[h][shim_bucket(cycles)], 1);
}

static struct sctx *find(uintptr_t user)
{
	if (!user)
		return NULL;
	for (int i = 0; i < MAX_CTX; i++)
		if (atomic_load_explicit(&ctxs[i].user, memory_order_acquire) ==
		    user)
			return &ctxs[i];
	return NULL;
}

static void note_error(struct sctx *c, enum op op, int e)
{
	inc(&c->errors, 1);
	inc(&c->err[op][e > 0 && e < SHIM_NERRNO ? e : 0], 1);
	if (!c->first_error[0])
		snprintf(c->first_error, sizeof(c->first_error),
			 "%s %s after remap %" PRIu64, op_name[op],
			 shim_errno_name(e), c->remaps);
}

static void register_ctx(aio_context_t ctx)
{
	const struct aio_ring_hdr *r = (const void *)ctx;
	struct sctx *c = NULL;

	load_cfg();
	pthread_mutex_lock(&table_lock);
	if (find(ctx)) /* io_queue_init -> io_setup both seen */
		goto out;
	for (int i = 0; i < MAX_CTX; i++)
		if (!atomic_load(&ctxs[i].user)) {
			c = &ctxs[i];
			break;
		}
	if (!c) {
		fprintf(stderr,
			"aioremap-shim: warning: more than %d contexts; ctx %#lx not tracked\n",
			MAX_CTX, (unsigned long)ctx);
		goto out;
	}
	memset((char *)c + offsetof(struct sctx, home), 0,
	       sizeof(*c) - offsetof(struct sctx, home));
	pthread_mutex_init(&c->lock, NULL);
	c->home = ctx;
	c->nr = r->nr;
	/* The ring is exactly (nr + 1) io_events long: header + events. */
	c->len = ((size_t)r->nr + 1) * sizeof(struct io_event);
	c->seq = ctx_seq++;
	atomic_store(&c->cur, ctx);
	atomic_store_explicit(&c->user, ctx, memory_order_release);
out:
	pthread_mutex_unlock(&table_lock);
}

static uint64_t xorshift(void)
{
	uint64_t x = __atomic_load_n(&cfg.rng, __ATOMIC_RELAXED);

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	__atomic_store_n(&cfg.rng, x, __ATOMIC_RELAXED);
	return x;
}

/* A fresh PROT_NONE placeholder of @len, at a random hint if free. */
static void *reserve(size_t len)
{
	uintptr_t hint = ((xorshift() % (255ULL << 30)) + (4ULL << 30)) &
			 ~(uintptr_t)0xfff;
	void *p = mmap((void *)hint, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Move the ring from @from to @to (a placeholder we own), leaving a
 * placeholder at @from when @keep_hole. Returns 0 or -errno.
 */
static int move_ring(struct sctx *c, uintptr_t from, uintptr_t to,
		     bool keep_hole)
{
	uint64_t t0 = __rdtsc();
	void *p = mremap((void *)from, c->len, c->len,
			 MREMAP_MAYMOVE | MREMAP_FIXED, (void *)to);
	int e = p == MAP_FAILED ? errno : 0;

	record(c, SHIM_H_REMAP, __rdtsc() - t0);
	inc(&c->ncalls[OP_REMAP], 1);
	if (e) {
		inc(&c->remap_failures, 1);
		note_error(c, OP_REMAP, e);
		return -e;
	}
	inc(&c->remaps, 1);
	if (keep_hole && mmap((void *)from, c->len, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				      MAP_FIXED_NOREPLACE,
			      -1, 0) == MAP_FAILED)
		return -errno;
	return 0;
}

/*
 * Before a call: remap if it is the Nth. Returns the address to use;
 * *back is set when roundtrip mode must move the ring home after.
 */
static uintptr_t before_call(struct sctx *c, bool *back, bool *remapped)
{
	uint64_t n;
	uintptr_t cur, dst;

	*back = false;
	*remapped = false;
	if (!c)
		return 0;
	n = __atomic_load_n(&c->calls, __ATOMIC_RELAXED) + 1;
	__atomic_store_n(&c->calls, n, __ATOMIC_RELAXED);
	cur = atomic_load_explicit(&c->cur, memory_order_relaxed);
	if (cfg.mode == MODE_NONE || n % cfg.every)
		return cur;
	*remapped = true;
	pthread_mutex_lock(&c->lock);
	cur = atomic_load(&c->cur);
	dst = (uintptr_t)reserve(c->len);
	if (!dst) {
		note_error(c, OP_REMAP, errno);
		goto out;
	}
	if (cfg.mode == MODE_ROUNDTRIP) {
		/* home stays reserved while the ring is away */
		if (move_ring(c, cur, dst, true)) {
			munmap((void *)dst, c->len);
			goto out;
		}
		atomic_store(&c->cur, dst);
		*back = true;
	} else {
		bool first = cur == c->home;

		if (move_ring(c, cur, dst, first)) {
			munmap((void *)dst, c->len);
			goto out;
		}
		if (first)
			c->guard = (void *)c->home;
		if (!cfg.force_stale)
			atomic_store(&c->cur, dst);
	}
out:
	cur = atomic_load(&c->cur);
	pthread_mutex_unlock(&c->lock);
	return cur;
}

static void after_call(struct sctx *c, bool back)
{
	uintptr_t away;

	if (!back)
		return;
	pthread_mutex_lock(&c->lock);
	away = atomic_load(&c->cur);
	/* MREMAP_FIXED replaces the placeholder at home atomically. */
	if (!move_ring(c, away, c->home, false))
		atomic_store(&c->cur, c->home);
	pthread_mutex_unlock(&c->lock);
}

static void write_stats(struct sctx *c, const char *why)
{
	char path[640], tmp[660];
	FILE *f;
	int fd;

	if (!cfg.out[0])
		return;
	snprintf(path, sizeof(path), "%s/shim-%d-%ld-%u.tsv", cfg.out, getpid(),
		 (long)syscall(SYS_gettid), c->seq);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "aioremap-shim: error: cannot write %s: %s\n",
			tmp, strerror(errno));
		return;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return;
	}
	fprintf(f, "%s\t%d\n", SHIM_MAGIC, SHIM_VERSION);
	fprintf(f, "pid\t%d\n", getpid());
	fprintf(f, "written_at\t%s\n", why);
	fprintf(f, "mode\t%s\n", mode_name[cfg.mode]);
	fprintf(f, "every\t%lu\n", cfg.every);
	fprintf(f, "force_error\t%s\n", cfg.force_stale ? "stale" : "-");
	fprintf(f, "ring_nr\t%u\n", c->nr);
	fprintf(f, "ring_bytes\t%zu\n", c->len);
	fprintf(f, "home\t%#lx\n", (unsigned long)c->home);
	fprintf(f, "final\t%#lx\n", (unsigned long)atomic_load(&c->cur));
	for (int op = 0; op < NOPS; op++)
		fprintf(f, "calls\t%s\t%" PRIu64 "\n", op_name[op],
			c->ncalls[op]);
	fprintf(f, "submit_ios\t%" PRIu64 "\n", c->submit_ios);
	fprintf(f, "events\t%" PRIu64 "\n", c->events);
	fprintf(f, "remaps\t%" PRIu64 "\n", c->remaps);
	fprintf(f, "remap_failures\t%" PRIu64 "\n", c->remap_failures);
	fprintf(f, "errors\t%" PRIu64 "\n", c->errors);
	fprintf(f, "first_error\t%s\n",
		c->first_error[0] ? c->first_error : "-");
	for (int op = 0; op < NOPS; op++)
		for (int e = 0; e < SHIM_NERRNO; e++)
			if (c->err[op][e])
				fprintf(f, "errno\t%s\t%s\t%" PRIu64 "\n",
					op_name[op], shim_errno_name(e),
					c->err[op][e]);
	for (int h = 0; h < SHIM_NHIST; h++)
		for (int b = 0; b < SHIM_NBUCKETS; b++)
			if (c->hist[h][b])
				fprintf(f,
					"hist\t%s\t%" PRIu64 "\t%" PRIu64
					"\t%" PRIu64 "\n",
					shim_hist_name[h], shim_bucket_lo(b),
					shim_bucket_lo(b + 1), c->hist[h][b]);
	fprintf(f, "end\n");
	if (fclose(f) || rename(tmp, path))
		fprintf(stderr, "aioremap-shim: error: writing %s: %s\n", path,
			strerror(errno));
}

static void release(struct sctx *c, const char *why)
{
	write_stats(c, why);
	if (c->guard)
		munmap(c->guard, c->len);
	c->guard = NULL;
	pthread_mutex_destroy(&c->lock);
	atomic_store(&c->user, 0);
}

__attribute__((destructor)) static void shim_fini(void)
{
	for (int i = 0; i < MAX_CTX; i++)
		if (atomic_load(&ctxs[i].user))
			write_stats(&ctxs[i], "exit");
}

/* ---- interposed API (libaio ABI: io_context_t is a pointer) ---- */

EXPORT int io_setup(int maxevents, aio_context_t *ctxp)
{
	long r = sys_io_setup(maxevents, ctxp);

	if (r < 0)
		return -errno;
	register_ctx(*ctxp);
	return 0;
}

EXPORT int io_queue_init(int maxevents, aio_context_t *ctxp)
{
	if (maxevents <= 0)
		return -EINVAL;
	*ctxp = 0;
	return io_setup(maxevents, ctxp);
}

EXPORT int io_submit(aio_context_t ctx, long nr, struct iocb **iocbs)
{
	uint64_t t0 = __rdtsc(), t1, t2;
	struct sctx *c = find(ctx);
	bool back, remapped;
	uintptr_t use = c ? before_call(c, &back, &remapped) : ctx;
	long r;
	int e;

	t1 = __rdtsc();
	r = sys_io_submit(use, nr, iocbs);
	t2 = __rdtsc();
	e = errno;
	if (!c)
		return r < 0 ? -e : (int)r;
	after_call(c, back);
	inc(&c->ncalls[OP_SUBMIT], 1);
	record(c, SHIM_H_SUBMIT, t2 - t1);
	if (r < 0)
		note_error(c, OP_SUBMIT, e);
	else
		inc(&c->submit_ios, r);
	if (!remapped)
		record(c, SHIM_H_OVERHEAD, (t1 - t0) + (__rdtsc() - t2));
	return r < 0 ? -e : (int)r;
}

static int getevents(enum op op, aio_context_t ctx, long min_nr, long nr,
		     struct io_event *ev, struct timespec *ts, const void *sig)
{
	uint64_t t0 = __rdtsc(), t1, t2;
	struct sctx *c = find(ctx);
	bool back, remapped;
	uintptr_t use = c ? before_call(c, &back, &remapped) : ctx;
	long r;
	int e;

	t1 = __rdtsc();
	if (sig)
		r = syscall(SYS_io_pgetevents, use, min_nr, nr, ev, ts, sig);
	else
		r = sys_io_getevents(use, min_nr, nr, ev, ts);
	t2 = __rdtsc();
	e = errno;
	if (!c)
		return r < 0 ? -e : (int)r;
	after_call(c, back);
	inc(&c->ncalls[op], 1);
	record(c, SHIM_H_GETEVENTS, t2 - t1);
	if (r < 0 && e != EINTR)
		note_error(c, op, e);
	else if (r > 0)
		inc(&c->events, r);
	if (!remapped)
		record(c, SHIM_H_OVERHEAD, (t1 - t0) + (__rdtsc() - t2));
	return r < 0 ? -e : (int)r;
}

EXPORT int io_getevents(aio_context_t ctx, long min_nr, long nr,
			struct io_event *ev, struct timespec *ts)
{
	return getevents(OP_GETEVENTS, ctx, min_nr, nr, ev, ts, NULL);
}

EXPORT int io_pgetevents(aio_context_t ctx, long min_nr, long nr,
			 struct io_event *ev, struct timespec *ts,
			 const sigset_t *sigmask)
{
	struct {
		const sigset_t *ss;
		size_t len;
	} sig = { sigmask, 8 };

	return getevents(OP_GETEVENTS, ctx, min_nr, nr, ev, ts,
			 sigmask ? (const void *)&sig : NULL);
}

EXPORT int io_cancel(aio_context_t ctx, struct iocb *iocb, struct io_event *ev)
{
	struct sctx *c = find(ctx);
	uintptr_t use = c ? atomic_load(&c->cur) : ctx;
	long r = sys_io_cancel(use, iocb, ev);
	int e = errno;

	if (c) {
		inc(&c->ncalls[OP_CANCEL], 1);
		/* EINVAL/EAGAIN are normal answers for a finished iocb. */
		if (r < 0 && e != EINVAL && e != EAGAIN)
			note_error(c, OP_CANCEL, e);
	}
	return r < 0 ? -e : (int)r;
}

EXPORT int io_destroy(aio_context_t ctx)
{
	struct sctx *c = find(ctx);
	uintptr_t use = c ? atomic_load(&c->cur) : ctx;
	long r = sys_io_destroy(use);
	int e = errno;

	if (c) {
		inc(&c->ncalls[OP_DESTROY], 1);
		if (r < 0)
			note_error(c, OP_DESTROY, e);
		release(c, "io_destroy");
	}
	return r < 0 ? -e : (int)r;
}

EXPORT int io_queue_release(aio_context_t ctx)
{
	return io_destroy(ctx);
}
