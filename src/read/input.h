/*
 * input.h - reading a whole input (stdin or a file) under a size cap.
 *
 * Invariants: on success the buffer holds every byte of the input and no
 * more than its max; reading stops as soon as the cap is passed, so an
 * endless or oversized input costs at most max bytes of memory.
 *
 * Ownership: the caller owns the buffer (initialised with the cap).
 */
#ifndef CM_INPUT_H
#define CM_INPUT_H

#include "../core/buf.h"

typedef enum cm_read_status {
	CM_READ_OK = 0,
	CM_READ_TOO_LARGE = 1, /* more than buf->max bytes */
	CM_READ_IO = 2,        /* read error; errno says which */
	CM_READ_NOENT = 3,     /* file does not exist */
} cm_read_status;

/* Read fd to its end into buf. */
cm_read_status cm_read_fd(int fd, cm_buf *buf);

/* Open path and read it into buf; errno describes CM_READ_IO/NOENT. */
cm_read_status cm_read_file(const char *path, cm_buf *buf);

#endif
