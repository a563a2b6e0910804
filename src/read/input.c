/* input.c - see input.h for the contract. */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

cm_read_status cm_read_fd(int fd, cm_buf *buf)
{
	char chunk[65536];
	struct stat st;

	/* For a regular file, allocate once; a failure here is harmless. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (unsigned long long)st.st_size <= buf->max)
		(void)cm_buf_reserve(buf, (size_t)st.st_size);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n == 0)
			return CM_READ_OK;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return CM_READ_IO;
		}
		if (cm_buf_add(buf, chunk, (size_t)n) < 0)
			return errno == EFBIG ? CM_READ_TOO_LARGE : CM_READ_IO;
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
