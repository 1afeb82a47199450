// SPDX-License-Identifier: GPL-2.0
/*
 * aio-verify: a small libaio program to run through the remap shim on the
 * host. Writes known patterns to a file with O_DIRECT at queue depth
 * --qd, reads them back and checks every byte, for --rounds rounds; then
 * times io_submit(ctx, 0, NULL) through libaio (the shim when preloaded)
 * against the raw system call to estimate the shim's overhead.
 *
 *   aio-verify --file PATH [--qd N] [--rounds N] [--bs BYTES]
 *
 * Exit: 0 all data verified and no call failed, 1 an error or a mismatch
 * (printed), 2 usage/setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libaio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void fill(unsigned char *p, size_t n, unsigned round, unsigned slot)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + round * 13 + slot * 31 + 1);
}

/* Submit @qd iocbs of @op and reap them all; -errno or 0. */
static int batch(io_context_t ctx, struct iocb *cbs, int qd, int *reaped)
{
	struct iocb *ptrs[qd];
	struct io_event ev[qd];
	int done = 0, r, sub = 0;

	for (int i = 0; i < qd; i++)
		ptrs[i] = &cbs[i];
	while (sub < qd) {
		r = io_submit(ctx, qd - sub, ptrs + sub);
		if (r < 0) {
			fprintf(stderr, "aio-verify: io_submit: %s\n",
				strerror(-r));
			return r;
		}
		sub += r;
	}
	while (done < qd) {
		r = io_getevents(ctx, 1, qd, ev, NULL);
		if (r < 0) {
			fprintf(stderr, "aio-verify: io_getevents: %s\n",
				strerror(-r));
			return r;
		}
		for (int i = 0; i < r; i++) {
			struct iocb *cb = ev[i].obj;

			if (cb < cbs || cb >= cbs + qd ||
			    (long)ev[i].res != (long)cb->u.c.nbytes) {
				fprintf(stderr,
					"aio-verify: bad event obj=%p res=%ld\n",
					(void *)cb, (long)ev[i].res);
				return -EIO;
			}
			reaped[cb - cbs]++;
		}
		done += r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "qd", required_argument, NULL, 'q' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "bs", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *file = NULL;
	int qd = 8, rounds = 200, o, fd, bad = 0;
	size_t bs = 4096;
	io_context_t ctx = 0;
	unsigned char *buf;
	uint64_t t_shim[2000], t_raw[2000];

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'f':
			file = optarg;
			break;
		case 'q':
			qd = atoi(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'b':
			bs = strtoul(optarg, NULL, 0);
			break;
		case 'h':
			printf("usage: aio-verify --file PATH [--qd N] [--rounds N] [--bs BYTES]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (!file || qd < 1 || qd > 256 || rounds < 1 || bs % 512) {
		fprintf(stderr,
			"aio-verify: need --file; 1 <= qd <= 256; bs multiple of 512\n");
		return 2;
	}
	fd = open(file, O_RDWR | O_CREAT | O_DIRECT, 0600);
	if (fd < 0)
		fd = open(file, O_RDWR | O_CREAT,
			  0600); /* tmpfs: no O_DIRECT */
	if (fd < 0) {
		fprintf(stderr, "aio-verify: open %s: %s\n", file,
			strerror(errno));
		return 2;
	}
	if (posix_memalign((void **)&buf, 4096, bs * qd))
		return 2;
	o = io_queue_init(qd, &ctx);
	if (o < 0) {
		fprintf(stderr, "aio-verify: io_queue_init: %s\n",
			strerror(-o));
		return 2;
	}
	for (int round = 0; round < rounds && !bad; round++) {
		struct iocb cbs[qd];
		int reaped[qd];

		for (int i = 0; i < qd; i++) {
			fill(buf + i * bs, bs, round, i);
			io_prep_pwrite(&cbs[i], fd, buf + i * bs, bs,
				       (long long)i * bs);
		}
		memset(reaped, 0, sizeof(reaped));
		if (batch(ctx, cbs, qd, reaped)) {
			bad = 1;
			break;
		}
		memset(buf, 0, bs * qd);
		for (int i = 0; i < qd; i++)
			io_prep_pread(&cbs[i], fd, buf + i * bs, bs,
				      (long long)i * bs);
		memset(reaped, 0, sizeof(reaped));
		if (batch(ctx, cbs, qd, reaped)) {
			bad = 1;
			break;
		}
		for (int i = 0; i < qd; i++) {
			unsigned char want[bs];

			fill(want, bs, round, i);
			if (reaped[i] != 1 || memcmp(want, buf + i * bs, bs)) {
				fprintf(stderr,
					"aio-verify: round %d slot %d: %s\n",
					round, i,
					reaped[i] != 1 ?
						"not reaped exactly once" :
						"data mismatch");
				bad = 1;
			}
		}
	}
	if (!bad) {
		for (int i = 0; i < 2000; i++) {
			uint64_t t0 = __rdtsc();

			io_submit(ctx, 0, NULL);
			t_shim[i] = __rdtsc() - t0;
			t0 = __rdtsc();
			syscall(SYS_io_submit, ctx, 0, NULL);
			t_raw[i] = __rdtsc() - t0;
		}
		qsort(t_shim, 2000, sizeof(uint64_t), cmp_u64);
		qsort(t_raw, 2000, sizeof(uint64_t), cmp_u64);
		printf("aio-verify: io_submit(ctx,0,NULL) cycles median: via libaio symbol %lu, raw syscall %lu\n",
		       (unsigned long)t_shim[1000], (unsigned long)t_raw[1000]);
	}
	o = io_destroy(ctx);
	if (o < 0) {
		fprintf(stderr, "aio-verify: io_destroy: %s\n", strerror(-o));
		bad = 1;
	}
	close(fd);
	printf("aio-verify: %s (%d rounds, qd %d, bs %zu)\n",
	       bad ? "FAILED" : "all data verified", rounds, qd, bs);
	return bad ? 1 : 0;
}
