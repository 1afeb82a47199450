// SPDX-License-Identifier: GPL-2.0
/*
 * probe: latency of the aio context lookup, in TSC cycles.
 *
 * One tight loop; every iteration times, in a random order (seeded),
 *   getppid()                          baseline: a trivial syscall
 *   io_submit(ctx, 0, NULL)            lookup_ioctx() only
 *   io_getevents(ctx, 0, 1, ev, {0,0}) lookup + ring read
 *   io_submit(ctx, 1, {pread})         a real one-iocb submit ...
 *   io_getevents(ctx, 1, 1, ev, NULL)  ... and its reap
 * each with lfence;rdtsc ... rdtscp;lfence. Every K iterations the ring
 * is moved with mremap between two addresses reserved up front, so the
 * kernel is measured on a ring that moved. A kernel without the remap
 * hook (io_* on the moved ring -> EINVAL) is detected on the first move:
 * the ring is moved back, remapping is switched off and that is recorded.
 *
 * Output in --out DIR:
 *   probe.csv       iter,order,remapped,getppid,submit0,getevents0,
 *                   submit1,reap1  (cycles; warm-up iterations dropped)
 *   probe-meta.txt  "key: value" lines (TSC frequency, samples, K, seed)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "aio.h"
#include "ktap.h"

#define NPROBE 5
enum { P_GETPPID, P_SUBMIT0, P_GETEVENTS0, P_SUBMIT1, P_REAP1 };
static const char *const probe_names[NPROBE] = { "getppid", "submit0",
						 "getevents0", "submit1",
						 "reap1" };
/* Order letters: g=getppid s=submit0 e=getevents0 r=real pair. */
static const char order_letters[4] = { 'g', 's', 'e', 'r' };

#define REAL_LEN 512

struct sample {
	uint32_t c[NPROBE];
	uint8_t order[4];
	uint8_t remapped;
};

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t t_start(void)
{
	uint64_t t;

	_mm_lfence();
	t = __rdtsc();
	_mm_lfence();
	return t;
}

static inline uint64_t t_stop(void)
{
	unsigned int aux;
	uint64_t t = __rdtscp(&aux);

	_mm_lfence();
	return t;
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* TSC frequency against CLOCK_MONOTONIC over @ms milliseconds. */
static double calibrate_tsc(int ms)
{
	double m0, m1;
	uint64_t t0, t1;

	m0 = now_mono();
	t0 = t_start();
	do
		m1 = now_mono();
	while (m1 - m0 < ms * 1e-3);
	t1 = t_stop();
	return (double)(t1 - t0) / (m1 - m0);
}

/* Smallest non-zero step of back-to-back rdtsc readings. */
static uint64_t tsc_tick(void)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 2000; i++) {
		uint64_t a = __rdtsc(), b;

		do
			b = __rdtsc();
		while (b == a);
		if (b - a < best)
			best = b - a;
	}
	return best;
}

/* Length of the mapping that starts at @addr, from /proc/self/maps. */
static size_t mapping_len(unsigned long addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	size_t len = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo == addr) {
			len = hi - lo;
			break;
		}
	}
	fclose(f);
	return len;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: probe --out DIR [--samples N] [--warmup N] [--remap-every K]\n"
		"             [--seed S] [--file PATH] [--calib-ms MS]\n"
		"\n"
		"Times getppid, io_submit(ctx,0,NULL), io_getevents(ctx,0,1,ev,{0,0})\n"
		"and a real one-iocb pread submit+reap in one loop (rdtsc cycles),\n"
		"moving the aio ring with mremap every K iterations (0: never).\n"
		"\n"
		"  --out DIR         write probe.csv and probe-meta.txt here (required)\n"
		"  --samples N       measured iterations (default 20000)\n"
		"  --warmup N        iterations run first and discarded (default 1000)\n"
		"  --remap-every K   move the ring every K iterations (default 1000)\n"
		"  --seed S          order shuffling seed (default $AIOREMAP_SEED or 1)\n"
		"  --file PATH       read this file for the real pair (default: a\n"
		"                    memfd, i.e. tmpfs)\n"
		"  --calib-ms MS     TSC calibration time (default 200)\n"
		"\n"
		"exit: 0 every call returned what it should, 1 a check failed,\n"
		"2 usage or setup error\n");
}

struct ring {
	aio_context_t ctx;
	size_t len;
	unsigned long addr[2]; /* [0] original, [1] reserved */
	int at; /* index of the current address */
};

/*
 * Move the ring to the other reserved address; re-reserve the one it
 * left so nothing else can take it. Returns 0, or -errno.
 */
static int ring_move(struct ring *r)
{
	unsigned long from = r->addr[r->at], to = r->addr[!r->at];
	void *p = mremap((void *)from, r->len, r->len,
			 MREMAP_MAYMOVE | MREMAP_FIXED, (void *)to);

	if (p == MAP_FAILED)
		return -errno;
	p = mmap((void *)from, r->len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	r->at = !r->at;
	r->ctx = to;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "samples", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "remap-every", required_argument, NULL, 'k' },
		{ "seed", required_argument, NULL, 's' },
		{ "file", required_argument, NULL, 'f' },
		{ "calib-ms", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *file = NULL, *env;
	long samples = 20000, warmup = 1000, remap_every = 1000;
	long calib_ms = 200;
	uint64_t seed = 1;
	int c;

	env = getenv("AIOREMAP_SEED");
	if (env && *env)
		seed = strtoull(env, NULL, 0);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;
		long v = 0;

		if (c == 'o' || c == 'f' || c == 'h' || c == '?') {
		} else if (c == 's') {
			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (errno || *end) {
				fprintf(stderr, "probe: bad --seed '%s'\n",
					optarg);
				return 2;
			}
			continue;
		} else {
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < 0) {
				fprintf(stderr,
					"probe: --%s needs a number >= 0, got '%s'\n",
					c == 'n' ? "samples" :
					c == 'w' ? "warmup" :
					c == 'k' ? "remap-every" :
						   "calib-ms",
					optarg);
				return 2;
			}
		}
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			samples = v;
			break;
		case 'w':
			warmup = v;
			break;
		case 'k':
			remap_every = v;
			break;
		case 'c':
			calib_ms = v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!out || optind != argc) {
		fprintf(stderr, "probe: --out DIR is required (see --help)\n");
		return 2;
	}
	if (samples < 1 || samples > 50000000) {
		fprintf(stderr, "probe: --samples must be 1..50000000\n");
		return 2;
	}
	rng_state = seed;

	/* Setup: everything allocated and touched before the loop. */
	long total = warmup + samples;
	struct sample *s = calloc(total, sizeof(*s));
	char csv_path[4096], meta_path[4096];
	struct ring r = { 0 };
	int fd;
	char *buf;

	if (!s) {
		fprintf(stderr, "probe: cannot allocate %ld samples\n", total);
		return 2;
	}
	memset(s, 0, total * sizeof(*s));
	snprintf(csv_path, sizeof(csv_path), "%s/probe.csv", out);
	snprintf(meta_path, sizeof(meta_path), "%s/probe-meta.txt", out);

	if (file) {
		fd = open(file, O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "probe: open %s: %s\n", file,
				strerror(errno));
			return 2;
		}
	} else {
		char data[REAL_LEN * 2];

		fd = memfd_create("aioremap-probe", 0);
		memset(data, 0x5a, sizeof(data));
		if (fd < 0 || write(fd, data, sizeof(data)) != sizeof(data)) {
			fprintf(stderr, "probe: memfd for the real pair: %s\n",
				strerror(errno));
			return 2;
		}
	}
	if (posix_memalign((void **)&buf, 4096, 4096)) {
		fprintf(stderr, "probe: out of memory\n");
		return 2;
	}
	memset(buf, 0, 4096);

	if (sys_io_setup(32, &r.ctx) < 0) {
		fprintf(stderr,
			"probe: io_setup: %s (is CONFIG_AIO set? "
			"fs.aio-max-nr reached?)\n",
			strerror(errno));
		return 2;
	}
	r.addr[0] = r.ctx;
	r.len = mapping_len(r.ctx);
	if (!r.len) {
		/* No /proc: size the ring from its header, as the kernel does. */
		const struct aio_ring_hdr *h = (const void *)r.ctx;
		long pg = sysconf(_SC_PAGESIZE);

		r.len = (sizeof(*h) + (size_t)h->nr * sizeof(struct io_event) +
			 pg - 1) /
			pg * pg;
	}
	bool remap_ok = false, remap_tried = false;
	int remap_err = 0;
	long nremaps = 0;

	if (remap_every > 0) {
		void *p;

		p = mmap(NULL, r.len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "probe: reserve: %s\n",
				strerror(errno));
			return 2;
		}
		r.addr[1] = (unsigned long)p;
		/* First move decides whether this kernel follows the ring. */
		remap_tried = true;
		remap_err = ring_move(&r);
		if (!remap_err) {
			struct timespec z = { 0, 0 };
			struct io_event ev;

			if (sys_io_getevents(r.ctx, 0, 1, &ev, &z) == 0) {
				remap_ok = true;
			} else {
				remap_err = -errno;
				if (ring_move(&r)) {
					fprintf(stderr,
						"probe: cannot move the ring back\n");
					return 2;
				}
			}
		}
	}

	struct iocb cb = { 0 }, *cbs[1] = { &cb };
	struct io_event ev[1];
	struct timespec zero = { 0, 0 };
	long bad_submit0 = 0, bad_getevents0 = 0, bad_real = 0, bad_remap = 0;

	cb.aio_fildes = fd;
	cb.aio_lio_opcode = IOCB_CMD_PREAD;
	cb.aio_buf = (uint64_t)(uintptr_t)buf;
	cb.aio_nbytes = REAL_LEN;
	cb.aio_offset = 0;
	cb.aio_data = 0xa10a10a1ull;

	/* The measured loop: no printing, no allocation. */
	for (long i = 0; i < total; i++) {
		struct sample *x = &s[i];
		uint8_t ord[4] = { 0, 1, 2, 3 };

		if (remap_ok && i > 0 && i % remap_every == 0) {
			if (ring_move(&r))
				bad_remap++;
			else
				nremaps++;
			x->remapped = 1;
		}
		for (int j = 3; j > 0; j--) {
			int k = rng_next() % (j + 1);
			uint8_t t = ord[j];

			ord[j] = ord[k];
			ord[k] = t;
		}
		for (int j = 0; j < 4; j++) {
			uint64_t t0, t1, t2;
			long ret;

			x->order[j] = ord[j];
			switch (ord[j]) {
			case 0:
				t0 = t_start();
				syscall(SYS_getppid);
				t1 = t_stop();
				x->c[P_GETPPID] = clamp32(t1 - t0);
				break;
			case 1:
				t0 = t_start();
				ret = sys_io_submit(r.ctx, 0, NULL);
				t1 = t_stop();
				x->c[P_SUBMIT0] = clamp32(t1 - t0);
				bad_submit0 += ret != 0;
				break;
			case 2:
				t0 = t_start();
				ret = sys_io_getevents(r.ctx, 0, 1, ev, &zero);
				t1 = t_stop();
				x->c[P_GETEVENTS0] = clamp32(t1 - t0);
				bad_getevents0 += ret != 0;
				break;
			default:
				t0 = t_start();
				ret = sys_io_submit(r.ctx, 1, cbs);
				t1 = t_stop();
				bad_real += ret != 1;
				ret = sys_io_getevents(r.ctx, 1, 1, ev, NULL);
				t2 = t_stop();
				x->c[P_SUBMIT1] = clamp32(t1 - t0);
				x->c[P_REAP1] = clamp32(t2 - t1);
				bad_real += ret != 1 ||
					    ev[0].obj != (uintptr_t)&cb ||
					    ev[0].res != REAL_LEN ||
					    ev[0].data != cb.aio_data;
				break;
			}
		}
	}

	/* Calibrate after the loop: clock_gettime is a syscall in UML. */
	double tsc_hz = calibrate_tsc(calib_ms);
	uint64_t tick = tsc_tick();

	FILE *f = fopen(csv_path, "w");

	if (!f) {
		fprintf(stderr, "probe: cannot write %s: %s\n", csv_path,
			strerror(errno));
		return 2;
	}
	fprintf(f, "iter,order,remapped");
	for (int p = 0; p < NPROBE; p++)
		fprintf(f, ",%s", probe_names[p]);
	fputc('\n', f);
	for (long i = warmup; i < total; i++) {
		const struct sample *x = &s[i];

		fprintf(f, "%ld,%c%c%c%c,%d,%u,%u,%u,%u,%u\n", i - warmup,
			order_letters[x->order[0]], order_letters[x->order[1]],
			order_letters[x->order[2]], order_letters[x->order[3]],
			x->remapped, x->c[0], x->c[1], x->c[2], x->c[3],
			x->c[4]);
	}
	if (fclose(f)) {
		fprintf(stderr, "probe: writing %s: %s\n", csv_path,
			strerror(errno));
		return 2;
	}

	struct utsname u;

	uname(&u);
	f = fopen(meta_path, "w");
	if (!f) {
		fprintf(stderr, "probe: cannot write %s: %s\n", meta_path,
			strerror(errno));
		return 2;
	}
	fprintf(f,
		"format: aioremap-probe 1\n"
		"uname: %s\n"
		"tsc_hz: %.0f\n"
		"tsc_hz_source: rdtsc vs CLOCK_MONOTONIC over %ld ms\n"
		"tsc_tick: %" PRIu64 "\n"
		"samples: %ld\n"
		"warmup: %ld\n"
		"remap_every: %ld\n"
		"remap_supported: %s\n"
		"remaps: %ld\n"
		"ring_bytes: %zu\n"
		"seed: %" PRIu64 "\n"
		"real_pair: pread %d bytes from %s\n"
		"timer: lfence;rdtsc .. rdtscp;lfence\n",
		u.release, tsc_hz, calib_ms, tick, samples, warmup, remap_every,
		!remap_tried ? "not-tried" :
		remap_ok     ? "yes" :
			       "no",
		nremaps, r.len, seed, REAL_LEN, file ? file : "memfd (tmpfs)");
	fclose(f);

	ktap_plan(4);
	ktap_diag("tsc_hz: %.0f", tsc_hz);
	ktap_diag("tsc_tick: %" PRIu64, tick);
	ktap_diag("samples: %ld warmup: %ld", samples, warmup);
	ktap_diag("bad io_submit(ctx,0,NULL): %ld", bad_submit0);
	ktap_diag("bad io_getevents(ctx,0,1,{0,0}): %ld", bad_getevents0);
	ktap_check(bad_submit0 == 0 && bad_getevents0 == 0,
		   "probe-lookup-calls-ok");
	ktap_diag("bad real submit/reap: %ld", bad_real);
	ktap_check(bad_real == 0, "probe-real-pair-ok");
	if (!remap_tried) {
		ktap_result(KTAP_SKIP, "probe-remap", "--remap-every 0");
	} else if (!remap_ok) {
		ktap_diag("first move: %s",
			  remap_err ? strerror(-remap_err) : "ok");
		ktap_result(
			KTAP_SKIP, "probe-remap",
			"kernel does not follow a moved ring; measured unmoved");
	} else {
		ktap_diag("remaps: %ld failed: %ld", nremaps, bad_remap);
		ktap_check(bad_remap == 0, "probe-remap");
	}
	ktap_diag("csv: %s", csv_path);
	ktap_check(true, "probe-data-written");
	sys_io_destroy(r.ctx);
	return ktap_exit_status();
}
