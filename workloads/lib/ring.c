// SPDX-License-Identifier: GPL-2.0
#include "ring.h"
#include "ring_work.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <time.h>
#include <unistd.h>

__attribute__((format(printf, 3, 4))) static bool fail(char *why, size_t len,
						       const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* ---- ring header ------------------------------------------------------ */

bool ring_check_header(const struct aio_ring_hdr *h,
		       const struct ring_expect *e, char *why, size_t whylen)
{
	if (h->magic != AIO_RING_MAGIC)
		return fail(why, whylen, "bad magic 0x%08x (want 0x%08x)",
			    h->magic, AIO_RING_MAGIC);
	if (h->compat_features != AIO_RING_COMPAT_FEATURES)
		return fail(why, whylen, "compat_features %u (want %u)",
			    h->compat_features, AIO_RING_COMPAT_FEATURES);
	if (h->incompat_features != AIO_RING_INCOMPAT_FEATURES)
		return fail(why, whylen, "incompat_features %u (want %u)",
			    h->incompat_features, AIO_RING_INCOMPAT_FEATURES);
	if (h->header_length != RING_HDR_LEN)
		return fail(why, whylen, "header_length %u (want %u)",
			    h->header_length, RING_HDR_LEN);
	if (e && h->nr != e->nr)
		return fail(why, whylen, "nr %u changed (was %u)", h->nr,
			    e->nr);
	if (e && h->id != e->id)
		return fail(why, whylen, "id %u changed (was %u)", h->id,
			    e->id);
	if (h->nr == 0)
		return fail(why, whylen, "nr is 0");
	if (h->head >= h->nr)
		return fail(why, whylen, "head %u >= nr %u", h->head, h->nr);
	if (h->tail >= h->nr)
		return fail(why, whylen, "tail %u >= nr %u", h->tail, h->nr);
	return true;
}

size_t ring_bytes_for_nr(uint32_t nr)
{
	return RING_HDR_LEN + (size_t)nr * RING_EVENT_LEN;
}

size_t ring_bytes_for_setup(unsigned int nr_events, unsigned int ncpus,
			    size_t page)
{
	size_t n = nr_events;

	if (n < 4 * (size_t)ncpus)
		n = 4 * (size_t)ncpus;
	n = n * 2 + 2;
	n = RING_HDR_LEN + n * RING_EVENT_LEN;
	return (n + page - 1) / page * page;
}

/* ---- exactly-once bookkeeping ------------------------------------------ */

static size_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

int ring_ledger_init(struct ring_ledger *l, size_t max_pending)
{
	size_t cap = 16;

	memset(l, 0, sizeof(*l));
	while (cap < max_pending * 4)
		cap <<= 1;
	l->e = calloc(cap, sizeof(*l->e));
	if (!l->e)
		return -1;
	l->cap = cap;
	return 0;
}

void ring_ledger_free(struct ring_ledger *l)
{
	free(l->e);
	l->e = NULL;
}

static void ledger_error(struct ring_ledger *l, const char *msg)
{
	if (!l->first_error[0])
		snprintf(l->first_error, sizeof(l->first_error), "%s", msg);
}

/* Slot holding @obj (pending or done), else the first free slot. */
static struct ring_ledger_entry *ledger_find(struct ring_ledger *l,
					     uint64_t obj, bool *found)
{
	size_t mask = l->cap - 1, i = hash64(obj) & mask;

	for (size_t n = 0; n < l->cap; n++, i = (i + 1) & mask) {
		struct ring_ledger_entry *e = &l->e[i];

		if (e->state == 0) {
			*found = false;
			return e;
		}
		if (e->obj == obj) {
			*found = true;
			return e;
		}
	}
	*found = false;
	return NULL;
}

/* Too many tombstones: rebuild with only the pending entries. */
static int ledger_compact(struct ring_ledger *l)
{
	struct ring_ledger_entry *old = l->e;
	size_t cap = l->cap;

	l->e = calloc(cap, sizeof(*l->e));
	if (!l->e) {
		l->e = old;
		return -1;
	}
	for (size_t i = 0; i < cap; i++) {
		bool found;

		if (old[i].state != 1)
			continue;
		*ledger_find(l, old[i].obj, &found) = old[i];
	}
	free(old);
	return 0;
}

int ring_ledger_submit(struct ring_ledger *l, uint64_t obj, uint64_t data,
		       int64_t res)
{
	struct ring_ledger_entry *e;
	bool found;

	e = ledger_find(l, obj, &found);
	if (!e) {
		if (ledger_compact(l))
			return -1;
		e = ledger_find(l, obj, &found);
		if (!e)
			return -1;
	}
	if (found && e->state == 1)
		return -1; /* still pending: a caller bug */
	e->obj = obj;
	e->data = data;
	e->res = res;
	e->state = 1;
	l->pending++;
	l->submitted++;
	return 0;
}

void ring_ledger_cancel(struct ring_ledger *l, uint64_t obj)
{
	bool found;
	struct ring_ledger_entry *e = ledger_find(l, obj, &found);

	if (e && found && e->state == 1) {
		e->state = 2;
		l->pending--;
		l->submitted--;
	}
}

bool ring_ledger_complete(struct ring_ledger *l, const struct io_event *ev,
			  char *why, size_t whylen)
{
	char msg[RING_WHY_LEN];
	bool found;
	struct ring_ledger_entry *e = ledger_find(l, ev->obj, &found);

	if (!e || !found) {
		l->unknown++;
		snprintf(msg, sizeof(msg),
			 "completion for unknown obj 0x%" PRIx64
			 " data 0x%" PRIx64,
			 (uint64_t)ev->obj, (uint64_t)ev->data);
		goto bad;
	}
	if (e->state != 1) {
		l->duplicate++;
		snprintf(msg, sizeof(msg),
			 "duplicate completion for obj 0x%" PRIx64,
			 (uint64_t)ev->obj);
		goto bad;
	}
	e->state = 2;
	l->pending--;
	l->completed++;
	if (ev->data != e->data) {
		l->wrong_data++;
		snprintf(msg, sizeof(msg),
			 "obj 0x%" PRIx64 ": data 0x%" PRIx64
			 " (want 0x%" PRIx64 ")",
			 (uint64_t)ev->obj, (uint64_t)ev->data, e->data);
		goto bad;
	}
	if (ev->res != e->res) {
		l->wrong_res++;
		snprintf(msg, sizeof(msg),
			 "obj 0x%" PRIx64 ": res %lld (want %lld)",
			 (uint64_t)ev->obj, (long long)ev->res,
			 (long long)e->res);
		goto bad;
	}
	return true;
bad:
	ledger_error(l, msg);
	return fail(why, whylen, "%s", msg);
}

bool ring_ledger_ok(const struct ring_ledger *l)
{
	return !l->unknown && !l->duplicate && !l->wrong_data && !l->wrong_res;
}

bool ring_ledger_finish(struct ring_ledger *l, char *why, size_t whylen)
{
	if (l->pending) {
		char msg[RING_WHY_LEN];

		snprintf(msg, sizeof(msg), "%zu completion(s) lost",
			 l->pending);
		ledger_error(l, msg);
		return fail(why, whylen,
			    "%zu lost of %" PRIu64
			    " submitted (first error: %s)",
			    l->pending, l->submitted, l->first_error);
	}
	if (!ring_ledger_ok(l))
		return fail(why, whylen,
			    "%" PRIu64 " unknown, %" PRIu64
			    " duplicate, %" PRIu64 " wrong data, %" PRIu64
			    " wrong res; first: %s",
			    l->unknown, l->duplicate, l->wrong_data,
			    l->wrong_res, l->first_error);
	return true;
}

/* ---- /proc/self/maps -------------------------------------------------- */

char *ring_maps_read(void)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	size_t cap = 16384, len = 0;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		ssize_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		len += n;
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

void ring_maps_reader_init(struct ring_maps_reader *r)
{
	r->fd = -1;
	r->buf = NULL;
	r->cap = 0;
}

const char *ring_maps_reread(struct ring_maps_reader *r)
{
	size_t len = 0;

	if (r->fd < 0) {
		r->fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
		if (r->fd < 0)
			return NULL;
	}
	for (;;) {
		ssize_t n;

		if (r->cap - len < 4096) {
			size_t cap = r->cap ? r->cap * 2 : 65536;
			char *nb = realloc(r->buf, cap);

			if (!nb)
				return NULL;
			r->buf = nb;
			r->cap = cap;
		}
		n = pread(r->fd, r->buf + len, r->cap - len - 1, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return NULL;
		if (n == 0)
			break;
		len += n;
	}
	r->buf[len] = '\0';
	return r->buf;
}

void ring_maps_reader_close(struct ring_maps_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	ring_maps_reader_init(r);
}

/* Hex number (sscanf %llx-like: blanks, optional 0x); false if no digit. */
static bool parse_hex(const char **pp, unsigned long long *v)
{
	const char *p = *pp;
	unsigned long long x = 0;
	int digits = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit(p[2]))
		p += 2;
	for (;; p++, digits++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		x = x << 4 | (unsigned long long)d;
	}
	*pp = p;
	*v = x;
	return digits > 0;
}

/* Skip blanks then one field; its length (0: none before the line ends). */
static size_t parse_field(const char **pp, const char **start)
{
	const char *p = *pp;

	while (*p == ' ' || *p == '\t')
		p++;
	*start = p;
	while (*p && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	*pp = p;
	return (size_t)(p - *start);
}

/*
 * Hand-written rather than sscanf: the integrity loop parses the whole
 * maps text several times per move, and sscanf was most of its cost.
 */
bool ring_maps_parse_line(const char *line, struct ring_map *m)
{
	unsigned long long s, e;
	const char *p = line, *f;
	size_t n;

	memset(m, 0, sizeof(*m));
	if (!parse_hex(&p, &s) || *p++ != '-' || !parse_hex(&p, &e))
		return false;
	n = parse_field(&p, &f); /* perms */
	if (!n)
		return false;
	memcpy(m->perms, f, n < 4 ? n : 4);
	for (int i = 0; i < 3; i++) /* offset, device, inode */
		if (!parse_field(&p, &f))
			return false;
	if (e < s)
		return false;
	m->start = s;
	m->end = e;
	while (*p == ' ' || *p == '\t')
		p++;
	n = strcspn(p, "\n");
	if (n >= sizeof(m->path))
		n = sizeof(m->path) - 1;
	memcpy(m->path, p, n);
	m->path[n] = '\0';
	return true;
}

bool ring_map_is_aio(const struct ring_map *m)
{
	return !strcmp(m->path, "[aio]") || !strncmp(m->path, "/[aio]", 6);
}

/* Call @fn for each parsed line; stop when it returns false. */
#define FOR_EACH_MAP(text, m)                                   \
	for (const char *l_ = (text); l_ && *l_;                \
	     l_ = strchr(l_, '\n') ? strchr(l_, '\n') + 1 : "") \
		if (ring_maps_parse_line(l_, &(m)))

int ring_maps_find_aio(const char *text, struct ring_map *out, int max)
{
	struct ring_map m;
	int n = 0;

	FOR_EACH_MAP(text, m)
	{
		if (!ring_map_is_aio(&m))
			continue;
		if (n < max)
			out[n] = m;
		n++;
	}
	return n;
}

bool ring_maps_check_ring(const char *text, uintptr_t addr, size_t size,
			  int total, char *why, size_t whylen)
{
	struct ring_map m;
	int at = 0, all = 0, overlap = 0;
	size_t got = 0;

	if (!text)
		return fail(why, whylen, "no /proc/self/maps text");
	FOR_EACH_MAP(text, m)
	{
		if (!ring_map_is_aio(&m))
			continue;
		all++;
		if (m.start == addr) {
			at++;
			got = m.end - m.start;
		} else if (m.start < addr + size && m.end > addr) {
			overlap++;
		}
	}
	if (at == 0)
		return fail(why, whylen,
			    "no [aio] mapping at 0x%lx (%d in all)",
			    (unsigned long)addr, all);
	if (at > 1)
		return fail(why, whylen, "%d [aio] mappings at 0x%lx", at,
			    (unsigned long)addr);
	if (got != size)
		return fail(why, whylen,
			    "[aio] mapping at 0x%lx is %zu bytes (want %zu)",
			    (unsigned long)addr, got, size);
	if (overlap)
		return fail(why, whylen,
			    "%d other [aio] mapping(s) overlap 0x%lx+%zu",
			    overlap, (unsigned long)addr, size);
	if (total >= 0 && all != total)
		return fail(why, whylen, "%d [aio] mappings in all (want %d)",
			    all, total);
	return true;
}

bool ring_maps_check_free(const char *text, uintptr_t addr, size_t len,
			  char *why, size_t whylen)
{
	struct ring_map m;

	if (!text)
		return fail(why, whylen, "no /proc/self/maps text");
	FOR_EACH_MAP(text, m)
	{
		if (m.start < addr + len && m.end > addr)
			return fail(why, whylen,
				    "0x%lx-0x%lx %s %s overlaps 0x%lx+%zu",
				    (unsigned long)m.start,
				    (unsigned long)m.end, m.perms, m.path,
				    (unsigned long)addr, len);
	}
	return true;
}

size_t ring_maps_aio_size(const char *text, uintptr_t addr)
{
	struct ring_map m;

	FOR_EACH_MAP(text, m)
	{
		if (ring_map_is_aio(&m) && m.start == addr)
			return m.end - m.start;
	}
	return 0;
}

/* ---- guards ------------------------------------------------------------ */

bool ring_maps_check_guard(const char *text, const struct ring_guard *g,
			   char *why, size_t whylen)
{
	uintptr_t end = g->addr + g->len, covered = g->addr;
	struct ring_map m, own = { 0 };
	int n = 0;

	if (!text)
		return fail(why, whylen, "no /proc/self/maps text");
	FOR_EACH_MAP(text, m)
	{
		if (m.end <= g->addr || m.start >= end)
			continue;
		if (!n++)
			own = m;
		/* maps is sorted: track the covered prefix of the guard */
		if (m.start <= covered && m.end > covered)
			covered = m.end;
	}
	if (!n)
		return fail(why, whylen, "guard 0x%lx+%zu: unmapped",
			    (unsigned long)g->addr, g->len);
	if (covered < end)
		return fail(why, whylen,
			    "guard 0x%lx+%zu: page at +%lu unmapped",
			    (unsigned long)g->addr, g->len,
			    (unsigned long)(covered - g->addr));
	if (n > 1 || own.start != g->addr || own.end != end)
		return fail(
			why, whylen,
			"guard 0x%lx+%zu: %d mapping(s), first 0x%lx-0x%lx (want exactly the guard)",
			(unsigned long)g->addr, g->len, n,
			(unsigned long)own.start, (unsigned long)own.end);
	/* x is allowed: READ_IMPLIES_EXEC binaries get rwxp */
	if (own.perms[0] != 'r' || own.perms[1] != 'w' || own.perms[3] != 'p' ||
	    own.path[0])
		return fail(
			why, whylen,
			"guard 0x%lx+%zu: mapped %s %s (want rw-p/rwxp anonymous)",
			(unsigned long)g->addr, g->len, own.perms, own.path);
	return true;
}

bool ring_guard_check_maps(const char *text, const struct ring_guard *g,
			   char *why, size_t whylen)
{
	return ring_maps_check_guard(text, g, why, whylen) &&
	       ring_guard_verify_mem(g, (const void *)g->addr, why, whylen);
}

uint64_t ring_guard_word(const struct ring_guard *g, size_t i)
{
	uint64_t w = g->pattern ^ (0x9e3779b97f4a7c15ULL * (i + 1));

	if (i == 0 && g->id_word)
		w = (w & ~0xffffffffULL) | g->id; /* little-endian: first u32 */
	return w;
}

bool ring_guard_verify_mem(const struct ring_guard *g, const void *mem,
			   char *why, size_t whylen)
{
	const uint64_t *p = mem;

	for (size_t i = 0; i < g->len / 8; i++) {
		if (p[i] != ring_guard_word(g, i))
			return fail(why, whylen,
				    "guard 0x%lx: word %zu is 0x%" PRIx64
				    " (want 0x%" PRIx64 ")",
				    (unsigned long)g->addr, i, p[i],
				    ring_guard_word(g, i));
	}
	return true;
}

int ring_guard_map(struct ring_guard *g, bool replace)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS |
		    (replace ? MAP_FIXED : MAP_FIXED_NOREPLACE);
	void *p = mmap((void *)g->addr, g->len, PROT_READ | PROT_WRITE, flags,
		       -1, 0);
	uint64_t *w = p;

	if (p == MAP_FAILED)
		return -1;
	if ((uintptr_t)p != g->addr) {
		/* old kernels ignore MAP_FIXED_NOREPLACE */
		munmap(p, g->len);
		errno = EEXIST;
		return -1;
	}
	for (size_t i = 0; i < g->len / 8; i++)
		w[i] = ring_guard_word(g, i);
	return 0;
}

bool ring_range_mapped(uintptr_t addr, size_t len)
{
	size_t pg = ring_page();
	unsigned char vec[64];

	for (size_t off = 0; off < len; off += pg * 64) {
		size_t n = len - off < pg * 64 ? len - off : pg * 64;

		if (mincore((void *)(addr + off), n, vec))
			return false;
	}
	return true;
}

bool ring_range_any_mapped(uintptr_t addr, size_t len)
{
	size_t pg = ring_page();
	unsigned char v;

	for (size_t off = 0; off < len; off += pg)
		if (!mincore((void *)(addr + off), pg, &v))
			return true;
	return false;
}

bool ring_guard_check(const struct ring_guard *g, char *why, size_t whylen)
{
	size_t pg = ring_page();

	for (size_t off = 0; off < g->len; off += pg)
		if (!ring_range_mapped(g->addr + off, pg))
			return fail(why, whylen,
				    "guard 0x%lx+%zu: page at +%zu unmapped",
				    (unsigned long)g->addr, g->len, off);
	return ring_guard_verify_mem(g, (const void *)g->addr, why, whylen);
}

void ring_guard_unmap(struct ring_guard *g)
{
	if (g->len)
		munmap((void *)g->addr, g->len);
}

/* ---- user-space reap --------------------------------------------------- */

int ring_user_reap(struct aio_ring_hdr *ring, struct io_event *ev, int max,
		   char *why, size_t whylen)
{
	uint32_t nr = ring->nr;
	uint32_t head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
	uint32_t tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
	int n = 0;

	if (nr == 0 || head >= nr || tail >= nr) {
		fail(why, whylen, "user reap: head %u tail %u nr %u", head,
		     tail, nr);
		return -1;
	}
	while (head != tail && n < max) {
		ev[n++] = ring->io_events[head];
		head = (head + 1) % nr;
	}
	__atomic_store_n(&ring->head, head, __ATOMIC_RELEASE);
	return n;
}

/* ---- I/O data pattern --------------------------------------------------- */

static bool pat_words(const void *buf, size_t len, uint64_t off)
{
	return !((uintptr_t)buf % 8) && !(len % 8) && !(off % 8) &&
	       __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
}

void ring_pat_fill_fast(void *buf, size_t len, uint64_t gen, uint64_t off)
{
	uint64_t *w = buf;

	if (!pat_words(buf, len, off)) {
		ring_pat_fill(buf, len, gen, off);
		return;
	}
	/* little-endian: byte k of word i is ring_pat(gen, off + 8 i + k) */
	for (size_t i = 0; i < len / 8; i++)
		w[i] = (off / 8 + i) * 0x9e3779b97f4a7c15ULL ^ gen;
}

long ring_pat_check_fast(const void *buf, size_t len, uint64_t gen,
			 uint64_t off)
{
	const uint64_t *w = buf;

	if (!pat_words(buf, len, off))
		return ring_pat_check(buf, len, gen, off);
	for (size_t i = 0; i < len / 8; i++)
		if (w[i] != ((off / 8 + i) * 0x9e3779b97f4a7c15ULL ^ gen))
			return (long)(i * 8) +
			       ring_pat_check(&w[i], 8, gen, off + i * 8);
	return -1;
}

/* ---- misc -------------------------------------------------------------- */

uint64_t ring_rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t ring_seed(const char *arg)
{
	const char *e = arg ? arg : getenv("AIOREMAP_SEED");
	struct timespec ts;

	if (e && *e)
		return strtoull(e, NULL, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000003ULL ^ (uint64_t)ts.tv_nsec ^
	       ((uint64_t)getpid() << 32);
}

uintptr_t ring_find_free(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	munmap(p, len);
	return (uintptr_t)p;
}

double ring_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

size_t ring_page(void)
{
	static size_t pg;

	if (!pg)
		pg = sysconf(_SC_PAGESIZE);
	return pg;
}

bool ring_is_uml(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	bool uml = false;

	if (!f)
		return false;
	while (!uml && fgets(line, sizeof(line), f))
		uml = strstr(line, "UML") || strstr(line, "User Mode Linux");
	fclose(f);
	return uml;
}

void ring_mount_if_init(void)
{
	struct statfs sf;

	if (getpid() != 1)
		return;
	/* With a hostfs root, /proc may be the host's: mount our own. */
	if (statfs("/proc", &sf) || sf.f_type != PROC_SUPER_MAGIC)
		mount("proc", "/proc", "proc", 0, NULL);
	mount("tmpfs", "/dev/shm", "tmpfs", 0, "size=64m");
}

const char *ring_errname(int err)
{
	switch (err) {
	case 0:
		return "0";
	case EINVAL:
		return "EINVAL";
	case EFAULT:
		return "EFAULT";
	case ENOMEM:
		return "ENOMEM";
	case EEXIST:
		return "EEXIST";
	case EAGAIN:
		return "EAGAIN";
	case EBADF:
		return "EBADF";
	case ENOSYS:
		return "ENOSYS";
	case EPERM:
		return "EPERM";
	case EINTR:
		return "EINTR";
	default:
		return strerror(err);
	}
}
