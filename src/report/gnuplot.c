/* gnuplot.c -- see gnuplot.h. */
#include "report/gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

bool gnuplot_available(void)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	bool found = false;

	if (path == NULL)
		path = "/usr/bin:/bin";
	copy = strdup(path);
	if (copy == NULL)
		return false;
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char exe[4096];

		snprintf(exe, sizeof exe, "%s/gnuplot", *dir ? dir : ".");
		found = access(exe, X_OK) == 0;
	}
	free(copy);
	return found;
}

int gnuplot_run(const char *dir, const char *name, struct err *e)
{
	char script[512], log[512];
	int status, fd;
	pid_t pid;

	snprintf(script, sizeof script, "plots/%s.gp", name);
	snprintf(log, sizeof log, "plots/%s.log", name);
	pid = fork();
	if (pid == -1)
		return err_set(e, "cannot start gnuplot: %s", strerror(errno));
	if (pid == 0) {
		/* Child: only async-signal-safe calls until exec. */
		if (chdir(dir) == -1)
			_exit(126);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd == -1 || dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
			_exit(126);
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return err_set(e, "waiting for gnuplot: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		char path[1100];

		snprintf(path, sizeof path, "%s/%s", dir, log);
		unlink(path);
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return err_set(e, "gnuplot not found: install it (apt-get install gnuplot-nox) or use --no-plots");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
		return err_set(e, "cannot run gnuplot in %s", dir);
	{
		/* gnuplot's first line of complaint says what went wrong. */
		char path[1100], line[200] = "";
		FILE *f;

		snprintf(path, sizeof path, "%s/%s", dir, log);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof line, f))
			if (strspn(line, " \t^\n") != strlen(line))
				break;
		if (f)
			fclose(f);
		line[strcspn(line, "\n")] = '\0';
		return err_set(e, "gnuplot failed on %s (%s in %s)", script, line[0] ? line : "no message", log);
	}
}

void gnuplot_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

void gnuplot_start(FILE *f, const char *name, const char *title)
{
	fprintf(f, "# %s.gp -- written by meshwalk report; rerun with `gnuplot plots/%s.gp`\n"
		   "# from the report directory (it reads the CSV tables there).\n",
		name, name);
	fprintf(f, "set datafile separator comma\n"
		   "set datafile missing ''\n"
		   "set grid xtics ytics mxtics mytics lc rgb '#cccccc' lw 1, lc rgb '#e8e8e8' lw 1\n"
		   "set border lw 1\n"
		   "set key box opaque\n");
	fprintf(f, "set title ");
	gnuplot_quote(f, title);
	fprintf(f, "\nset terminal svg size 960,540 noenhanced font 'DejaVu Sans,12' background rgb 'white'\n"
		   "set output 'plots/%s.svg'\n",
		name);
}

void gnuplot_finish(FILE *f, const char *name)
{
	fprintf(f, "set terminal pngcairo size 960,540 noenhanced font 'DejaVu Sans,10' background rgb 'white'\n"
		   "set output 'plots/%s.png'\n"
		   "replot\n"
		   "unset output\n",
		name);
}
