/* input.c - see input.h for the contract. */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes read at a time when the size is not known (a pipe). */
#define CM_READ_CHUNK ((size_t)64 << 10)

/* Regular files at least this large are mapped, not read. */
#define CM_MAP_MIN ((off_t)1 << 20)

cm_read_status cm_read_fd(int fd, cm_buf *buf)
{
	struct stat st;

	/* A regular file read from its start is mapped rather than copied
	 * (a large input is then never copied at all); else, for a regular
	 * file, the buffer is allocated once. A failure here is harmless:
	 * the file is read. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (unsigned long long)st.st_size <= buf->max) {
		if (st.st_size >= CM_MAP_MIN && !buf->data &&
		    lseek(fd, 0, SEEK_CUR) == 0 &&
		    cm_buf_map(buf, fd, (size_t)st.st_size) == 0) {
			/* What read() would leave: the file read to its end. */
			(void)lseek(fd, 0, SEEK_END);
			return CM_READ_OK;
		}
		(void)cm_buf_reserve(buf, (size_t)st.st_size);
	}
	/* read() straight into the buffer: no second copy of the input. */
	for (;;) {
		size_t room = buf->max - buf->len;
		ssize_t n;
		char extra;

		if (room == 0) {
			/* Full: one more byte means the input is too large. */
			n = read(fd, &extra, 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return CM_READ_IO;
			return n == 0 ? CM_READ_OK : CM_READ_TOO_LARGE;
		}
		if (room > CM_READ_CHUNK)
			room = CM_READ_CHUNK;
		if ((!buf->data || buf->cap - buf->len - 1 < room) &&
		    cm_buf_reserve(buf, room) < 0)
			return CM_READ_IO;
		/* All the room there is (the whole file, once reserved). */
		room = buf->cap - buf->len - 1;
		if (room > buf->max - buf->len)
			room = buf->max - buf->len;
		n = read(fd, buf->data + buf->len, room);
		if (n == 0)
			return CM_READ_OK;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return CM_READ_IO;
		}
		buf->len += (size_t)n;
		buf->data[buf->len] = '\0';
	}
}

cm_read_status cm_read_file(const char *path, cm_buf *buf)
{
	cm_read_status st;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? CM_READ_NOENT : CM_READ_IO;
	st = cm_read_fd(fd, buf);
	saved = errno;
	close(fd);
	errno = saved;
	return st;
}
