/*
 * text.h - small string helpers shared by the stages: closest-match
 * suggestions for error messages and list joining.
 *
 * Ownership: results are written into caller-provided buffers; nothing
 * here allocates.
 */
#ifndef CM_TEXT_H
#define CM_TEXT_H

#include <stddef.h>

/*
 * The entry of words (NULL-terminated) closest to s by edit distance, if
 * it is close enough to be a likely typo (distance <= 2, or <= 1 for
 * short words); otherwise NULL.
 */
const char *cm_suggest(const char *s, const char *const *words);

/*
 * Write words (NULL-terminated) joined by ", " into out (size n, always
 * NUL-terminated, truncated with "..." if too small). Returns out.
 */
char *cm_join(char *out, size_t n, const char *const *words);

#endif
