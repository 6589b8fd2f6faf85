/* Opening a core file before confinement (see core_file.h). */
#include "core_file.h"

#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"

int pith_core_file_open(const char *path, struct pith_core_file *f)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (n >= sizeof dir)
		return -1;
	strcpy(dir, ".");
	if (slash)
		memcpy(dir, n ? path : "/", n ? n : 1);
	dir[slash ? (n ? n : 1) : 1] = '\0';
	f->name = slash ? slash + 1 : path;
	f->proc_fd = -1;
	f->dir = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (f->dir < 0 || !*f->name)
		return -1;
	unlinkat(f->dir, f->name, 0);
	f->fd = openat(f->dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (f->fd < 0) {
		f->fd = openat(f->dir, f->name,
			       O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		return f->fd < 0 ? -1 : 0;
	}
	f->proc_fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return f->proc_fd < 0 ? -1 : 0;
}

void pith_core_file_fdname(const struct pith_core_file *f, char num[16])
{
	struct pith_buf b;

	pith_buf_init(&b, num, 16);
	pith_buf_udec(&b, (uint64_t)f->fd);
}
