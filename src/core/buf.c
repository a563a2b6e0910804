/* buf.c - see buf.h for the contract. */
#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void cm_buf_init(cm_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->mapped = 0;
}

/* A mapped buffer's contents copied into malloc'd memory of cap bytes
 * (cap > len), the mapping released. 0, or -1 (ENOMEM; b unchanged). */
static int cm_buf_unmap(cm_buf *b, size_t cap)
{
	char *p = malloc(cap);

	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(p, b->data, b->len);
	p[b->len] = '\0';
	munmap(b->data, b->cap);
	b->data = p;
	b->cap = cap;
	b->mapped = 0;
	return 0;
}

int cm_buf_map(cm_buf *b, int fd, size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	if (b->data || size == 0 || size > b->max || page <= 0 ||
	    size % (size_t)page == 0)
		return -1;
	p = mmap(NULL, size + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	b->data = p;
	b->len = size;
	b->cap = size + 1;
	b->mapped = 1;
	return 0;
}

/* Make room for n more bytes plus the terminating NUL. 0 or -1/errno. */
static int cm_buf_grow(cm_buf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (n > b->max || b->len > b->max - n) {
		errno = EFBIG;
		return -1;
	}
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap = cap > ((size_t)-1) / 2 ? want : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	if (b->mapped)
		return cm_buf_unmap(b, cap);
	p = realloc(b->data, cap);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int cm_buf_reserve(cm_buf *b, size_t n)
{
	if (cm_buf_grow(b, n) < 0)
		return -1;
	b->data[b->len] = '\0';
	return 0;
}

int cm_buf_add(cm_buf *b, const void *p, size_t n)
{
	/* Room already (cap <= max + 1 keeps the maximum). */
	if (b->data && n < b->cap - b->len) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return 0;
	}
	if (cm_buf_grow(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int cm_buf_adds(cm_buf *b, const char *s)
{
	return cm_buf_add(b, s, strlen(s));
}

int cm_buf_vaddf(cm_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	if (cm_buf_grow(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int cm_buf_addf(cm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = cm_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void cm_buf_reset(cm_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void cm_buf_free(cm_buf *b)
{
	if (b->mapped)
		munmap(b->data, b->cap);
	else
		free(b->data);
	b->mapped = 0;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

char *cm_buf_detach(cm_buf *b, size_t *len)
{
	char *s;

	if (b->mapped && cm_buf_unmap(b, b->len + 1) < 0)
		return NULL;
	s = b->data;
	if (len)
		*len = b->len;
	if (!s)
		s = calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return s;
}
