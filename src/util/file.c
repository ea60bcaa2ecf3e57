/* file.c -- see file.h. */
#include "util/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/xalloc.h"

char *file_read_all(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int bad;

	if (f == NULL)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

int file_write_ports(const char *path, const int *ports, int n, struct err *e)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return err_set(e, "--port-file path too long");
	f = fopen(tmp, "w");
	if (f == NULL)
		return err_set(e, "cannot write %s: %s", tmp, strerror(errno));
	for (int i = 0; i < n; i++)
		fprintf(f, "%d\n", ports[i]);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return err_set(e, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* One level of file_mkdirs(). */
int file_mkdir(const char *dir, struct err *e)
{
	struct stat st;
	int en;

	if (mkdir(dir, 0755) == 0)
		return 0;
	en = errno;
	if (en == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	err_set(e, "%s: cannot create the directory: %s", dir,
		en == EEXIST ? "a file is in the way" : strerror(en));
	return en == EEXIST ? -ENOTDIR : -en;
}

int file_mkdirs(const char *path, struct err *e)
{
	char *tmp = xstrdup(path);
	int rc = 0;

	for (char *p = tmp[0] ? tmp + 1 : tmp; *p && rc == 0; p++)
		if (*p == '/') {
			*p = '\0';
			rc = file_mkdir(tmp, e);
			*p = '/';
		}
	if (rc == 0)
		rc = file_mkdir(tmp, e);
	free(tmp);
	return rc;
}
