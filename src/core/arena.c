/* arena.c - see arena.h for the contract. */
#define _DEFAULT_SOURCE /* madvise(MADV_HUGEPAGE) where there is one */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Chunks start at 256 KiB and double up to 8 MiB: a big tree takes few
 * allocations, and the big chunks may use transparent huge pages (far
 * fewer page faults for a tree of hundreds of MB). */
#define CM_ARENA_CHUNK (256u * 1024u)
#define CM_ARENA_CHUNK_MAX ((size_t)8 << 20)

struct cm_chunk {
	struct cm_chunk *next;
	size_t size;
	size_t used;
	alignas(max_align_t) unsigned char mem[];
};

struct cm_arena {
	struct cm_chunk *head;
	size_t max;
	size_t used;
	size_t chunk; /* size of the next chunk */
	uint32_t *log; /* the change log, malloc'd */
	size_t nlog, caplog;
	int log_lost, log_sorted;
};

cm_arena *cm_arena_new(size_t max)
{
	cm_arena *a = calloc(1, sizeof(*a));

	if (a) {
		a->max = max;
		a->chunk = CM_ARENA_CHUNK;
	}
	return a;
}

void cm_arena_free(cm_arena *a)
{
	struct cm_chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a->log);
	free(a);
}

/*
 * n bytes at a multiple of align (a power of two, at most max_align_t's).
 * Returns NULL when the limit or memory is exhausted.
 */
static void *cm_arena_take(cm_arena *a, size_t n, size_t align)
{
	struct cm_chunk *c = a->head;
	size_t need, size, pad = 0;
	void *p;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2)
		return NULL;
	if (c)
		pad = (align - (c->used & (align - 1))) & (align - 1);
	need = n + pad;
	if (!c || c->size - c->used < need) {
		pad = 0;
		need = n;
	}
	if (need > a->max || a->used > a->max - need)
		return NULL;
	if (!c || c->size - c->used < need) {
		size = need > a->chunk / 4 ? need : a->chunk;
		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		if (size == a->chunk && a->chunk < CM_ARENA_CHUNK_MAX)
			a->chunk *= 2;
#ifdef MADV_HUGEPAGE
		if (size >= ((size_t)4 << 20)) {
			/* Advice only: the whole pages inside the chunk. */
			uintptr_t p0 = ((uintptr_t)c + 4095) & ~(uintptr_t)4095;
			uintptr_t p1 = ((uintptr_t)c + sizeof(*c) + size) &
				       ~(uintptr_t)4095;

			if (p1 > p0)
				(void)madvise((void *)p0, p1 - p0, MADV_HUGEPAGE);
		}
#endif
		c->size = size;
		c->used = 0;
		if (size == need && a->head) {
			/* A big block gets a chunk of its own behind the head,
			 * so the head's free space stays usable. */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = c->mem + c->used + pad;
	c->used += need;
	a->used += need;
	return p;
}

void *cm_arena_alloc(cm_arena *a, size_t n)
{
	return cm_arena_take(a, n, alignof(max_align_t));
}

char *cm_arena_strndup(cm_arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return NULL;
	p = cm_arena_take(a, n + 1, 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

size_t cm_arena_used(const cm_arena *a)
{
	return a->used;
}

size_t cm_arena_max(const cm_arena *a)
{
	return a->max;
}

void cm_arena_set_max(cm_arena *a, size_t max)
{
	if (max >= a->used)
		a->max = max;
}

void cm_arena_log(cm_arena *a, uint32_t off)
{
	if (a->log_lost)
		return;
	if (a->nlog && a->log[a->nlog - 1] == off)
		return; /* the same node again */
	if (a->nlog == a->caplog) {
		size_t ncap = a->caplog ? a->caplog * 2 : 1024;
		uint32_t *v;

		if (ncap > CM_ARENA_LOG_MAX ||
		    !(v = realloc(a->log, ncap * sizeof(*v)))) {
			a->log_lost = 1;
			return;
		}
		a->log = v;
		a->caplog = ncap;
	}
	if (a->nlog && off < a->log[a->nlog - 1])
		a->log_sorted = 0;
	else if (a->nlog == 0)
		a->log_sorted = 1;
	a->log[a->nlog++] = off;
}

static int cm_u32_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

const uint32_t *cm_arena_log_sorted(cm_arena *a, size_t *n, int *lost)
{
	*lost = a->log_lost;
	*n = a->log_lost ? 0 : a->nlog;
	if (a->log_lost || !a->nlog)
		return NULL;
	if (!a->log_sorted) {
		qsort(a->log, a->nlog, sizeof(*a->log), cm_u32_cmp);
		a->log_sorted = 1;
	}
	return a->log;
}
