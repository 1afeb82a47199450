/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw aio system calls. Our workloads never use libaio: its io_getevents
 * reaps from the ring in user space and would skip the kernel's lookup.
 */
#ifndef AIOREMAP_AIO_H
#define AIOREMAP_AIO_H

#include <linux/aio_abi.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define AIO_RING_MAGIC 0xa10a10a1u
#define AIO_RING_COMPAT_FEATURES 1u
#define AIO_RING_INCOMPAT_FEATURES 0u

/* The ring header as the kernel lays it out at the context address. */
struct aio_ring_hdr {
	uint32_t id;
	uint32_t nr;
	uint32_t head;
	uint32_t tail;
	uint32_t magic;
	uint32_t compat_features;
	uint32_t incompat_features;
	uint32_t header_length;
	struct io_event io_events[];
};

static inline long sys_io_setup(unsigned int nr, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr, ctx);
}

static inline long sys_io_destroy(aio_context_t ctx)
{
	return syscall(SYS_io_destroy, ctx);
}

static inline long sys_io_submit(aio_context_t ctx, long nr,
				 struct iocb **iocbs)
{
	return syscall(SYS_io_submit, ctx, nr, iocbs);
}

static inline long sys_io_cancel(aio_context_t ctx, struct iocb *iocb,
				 struct io_event *ev)
{
	return syscall(SYS_io_cancel, ctx, iocb, ev);
}

static inline long sys_io_getevents(aio_context_t ctx, long min_nr, long nr,
				    struct io_event *ev, struct timespec *ts)
{
	return syscall(SYS_io_getevents, ctx, min_nr, nr, ev, ts);
}

#endif
