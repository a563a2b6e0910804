/*
 * arena.h - a bump allocator with an explicit maximum.
 *
 * Invariants:
 *   - Every block handed out stays valid, at the same address, until the
 *     arena is destroyed; nothing is freed one at a time.
 *   - The arena never holds more than max bytes of blocks in total; an
 *     allocation past that returns NULL, as does running out of memory.
 *   - Blocks are aligned for any object type.
 *
 * Ownership: the arena owns every block it hands out. The document tree
 * (node.h) keeps all its nodes and strings in one arena.
 *
 * The arena also keeps the tree's change log: the source offsets of the
 * read nodes that node.h's setters changed. The splice writer
 * (write/splice.h) skips every read subtree whose bytes hold no logged
 * offset, so a setter that changes a read node must log it. The log has a
 * maximum; an entry past it marks the log lost, and a lost log lets
 * nothing be skipped.
 */
#ifndef CM_ARENA_H
#define CM_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct cm_arena cm_arena;

/* A new, empty arena limited to max bytes; NULL if out of memory. */
cm_arena *cm_arena_new(size_t max);

/* Release every block and the arena itself. NULL is allowed. */
void cm_arena_free(cm_arena *a);

/* n bytes, uninitialised; NULL when the limit or memory is exhausted. */
void *cm_arena_alloc(cm_arena *a, size_t n);

/* A NUL-terminated copy of n bytes of s (which may hold NULs); or NULL. */
char *cm_arena_strndup(cm_arena *a, const char *s, size_t n);

/* The limit, in bytes. */
size_t cm_arena_max(const cm_arena *a);

/*
 * Set the limit to max bytes, once the work the arena must hold is known
 * (the pipeline sizes it from the item count after parsing). A limit
 * below what is already handed out is refused: the limit stays.
 */
void cm_arena_set_max(cm_arena *a, size_t max);

/* Bytes handed out so far (for the limit and for benchmarks). */
size_t cm_arena_used(const cm_arena *a);

/* Most entries the change log holds. */
#define CM_ARENA_LOG_MAX ((size_t)1 << 24)

/* Log that the read node at source offset off was changed. */
void cm_arena_log(cm_arena *a, uint32_t off);

/*
 * The change log, sorted, in *n entries; NULL when the log was lost (or
 * is empty with *n == 0). Valid until the next cm_arena_log().
 */
const uint32_t *cm_arena_log_sorted(cm_arena *a, size_t *n, int *lost);

#endif
