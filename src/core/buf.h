/*
 * buf.h - a growing byte buffer with an explicit maximum.
 *
 * Invariants:
 *   - data is NULL or points to cap bytes; data[len] == '\0' whenever
 *     data != NULL, so the contents can be used as a C string when they
 *     hold no NUL bytes of their own.
 *   - len + 1 <= cap <= max + 1: a buffer never grows past max bytes of
 *     content. Appending more fails and leaves the buffer as it was.
 *
 * Ownership: the buffer owns data. cm_buf_free() releases it; a buffer
 * may be reused after cm_buf_reset(). data is malloc'd, or a private
 * mapping of a file (cm_buf_map()), which the functions below turn into
 * malloc'd memory before growing it or handing it over.
 */
#ifndef CM_BUF_H
#define CM_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct cm_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
	int mapped; /* data is a private mapping of a file (cm_buf_map()) */
} cm_buf;

/* An empty buffer that holds at most max bytes. Allocates nothing. */
void cm_buf_init(cm_buf *b, size_t max);

/*
 * Append n bytes. Returns 0, or -1 with errno EFBIG when the result would
 * exceed the maximum, ENOMEM when memory runs out. On -1 nothing changed.
 */
int cm_buf_add(cm_buf *b, const void *p, size_t n);

/*
 * Make room for n more bytes without changing the contents, so that the
 * next appends of up to n bytes do not reallocate. Same returns as
 * cm_buf_add().
 */
int cm_buf_reserve(cm_buf *b, size_t n);

/* Append a NUL-terminated string. Same returns as cm_buf_add(). */
int cm_buf_adds(cm_buf *b, const char *s);

/* Append printf-style formatted text. Same returns as cm_buf_add(). */
int cm_buf_addf(cm_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cm_buf_vaddf(cm_buf *b, const char *fmt, va_list ap);

/*
 * Make the empty buffer b hold the size bytes of the regular file open on
 * fd, by mapping it (private, copy on write) rather than reading it: no
 * copy, and the pages stay the file's. Only when size is not a multiple
 * of the page size, so that data[size] is the zero the kernel puts after
 * the file's end. Returns 0, or -1 (b unchanged: read the file instead).
 */
int cm_buf_map(cm_buf *b, int fd, size_t size);

/* Forget the contents, keep the memory. */
void cm_buf_reset(cm_buf *b);

/* Release the memory; the buffer is empty and usable again. */
void cm_buf_free(cm_buf *b);

/*
 * Hand the contents over to the caller as a NUL-terminated string that the
 * caller must free(); the buffer is left empty. Never returns NULL: an
 * empty buffer yields a freshly allocated "" (or NULL if that fails).
 */
char *cm_buf_detach(cm_buf *b, size_t *len);

#endif
