/* pith build: checks an application directory and its manifest, then
 * runs make with mk/app.mk to produce the image. */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pith.h"

extern char **environ;

static const char usage[] =
	"usage: pith build APPDIR [--target TARGET] [-o OUT] [--site DIR] "
	"[-v]\n"
	"Builds the application in APPDIR (a Makefile that includes "
	"mk/app.mk,\n"
	"and a manifest) into an image for TARGET (default linux).\n"
	"OUT defaults to ./NAME.TARGET, NAME being APPDIR's last component.\n"
	"  --site DIR   pack DIR into the image for lib/fs (apps/httpd)\n"
	"  -v           show the compiler commands\n";

struct build_args {
	const char *dir, *target, *out, *site;
	int verbose;
};

static int parse(int argc, char **argv, struct build_args *a)
{
	a->target = "linux";
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			fputs(usage, stdout);
			exit(0);
		} else if (!strcmp(s, "-v"))
			a->verbose = 1;
		else if ((!strcmp(s, "--target") || !strcmp(s, "-o")) &&
			 i + 1 < argc)
			*(s[1] == 'o' ? &a->out : &a->target) = argv[++i];
		else if (!strcmp(s, "--site") && i + 1 < argc)
			a->site = argv[++i];
		else if (!strncmp(s, "--target=", 9))
			a->target = s + 9;
		else if (s[0] == '-') {
			warnx("build: unknown option or missing value: '%s'",
			      s);
			return -1;
		} else if (a->dir) {
			warnx("build: more than one APPDIR ('%s', '%s')",
			      a->dir, s);
			return -1;
		} else
			a->dir = s;
	}
	if (!a->dir) {
		warnx("build: which application? (pith build APPDIR)");
		return -1;
	}
	return 0;
}

static int check_dir(const struct build_args *a)
{
	char path[PATH_MAX];
	struct stat st;
	struct pith_manifest m;
	struct pith_manifest_error e;
	char text[PITH_MANIFEST_MAX + 1];
	size_t len;
	FILE *f;

	if (stat(a->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		warnx("build: %s: %s", a->dir,
		      errno && !S_ISDIR(st.st_mode) ? strerror(errno)
						    : "not a directory");
		return -1;
	}
	snprintf(path, sizeof path, "%s/Makefile", a->dir);
	if (access(path, R_OK) < 0) {
		warnx("build: %s: no Makefile (an application directory holds "
		      "a "
		      "Makefile that includes mk/app.mk, and a manifest)",
		      a->dir);
		return -1;
	}
	snprintf(path, sizeof path, "%s/manifest", a->dir);
	f = fopen(path, "rb");
	if (!f) {
		warnx("build: %s: %s (every application declares its devices "
		      "there, even if it has none)",
		      path, strerror(errno));
		return -1;
	}
	len = fread(text, 1, sizeof text, f);
	fclose(f);
	if (pith_manifest_parse(text, len, &m, &e) < 0) {
		if (e.line)
			warnx("build: %s:%u: %s", path, e.line, e.what);
		else
			warnx("build: %s: %s", path, e.what);
		return -1;
	}
	return 0;
}

/* Runs make in the application directory; returns its exit status. */
static int run_make(const struct build_args *a, const char *out)
{
	char target[64], outvar[PATH_MAX + 8], site[PATH_MAX + 8], *argv[9];
	int n = 0, status;
	pid_t pid;

	snprintf(target, sizeof target, "TARGET=%s", a->target);
	snprintf(outvar, sizeof outvar, "OUT=%s", out);
	argv[n++] = (char *)"make";
	argv[n++] = (char *)"--no-print-directory";
	argv[n++] = (char *)"-C";
	argv[n++] = (char *)a->dir;
	argv[n++] = target;
	argv[n++] = outvar;
	if (a->verbose)
		argv[n++] = (char *)"V=1";
	if (a->site) {
		char *abs = realpath(a->site, 0);
		struct stat st;
		if (!abs || stat(abs, &st) < 0 || !S_ISDIR(st.st_mode))
			errx(PITH_TOOL_FAIL,
			     "build: --site %s: not a directory", a->site);
		snprintf(site, sizeof site, "SITE=%s", abs);
		free(abs);
		argv[n++] = site;
	}
	argv[n] = 0;
	errno = posix_spawnp(&pid, "make", 0, 0, argv, environ);
	if (errno)
		err(PITH_TOOL_FAIL, "build: cannot run make");
	if (waitpid(pid, &status, 0) < 0)
		err(PITH_TOOL_FAIL, "build: waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int cmd_build(int argc, char **argv)
{
	struct build_args a = { 0 };
	char out[PATH_MAX], cwd[PATH_MAX], name[NAME_MAX + 1];
	struct stat st;
	int r;

	if (parse(argc, argv, &a) < 0) {
		fputs(usage, stderr);
		return PITH_TOOL_USAGE;
	}
	if (!target_supported(a.target)) {
		warnx("build: target '%s' is not available (available: linux, "
		      "kvm, virtio)",
		      a.target);
		return PITH_TOOL_USAGE;
	}
	if (check_dir(&a) < 0)
		return PITH_TOOL_FAIL;
	if (!a.out) {
		char *dir = realpath(a.dir, 0), *base;
		if (!dir)
			err(PITH_TOOL_FAIL, "build: %s", a.dir);
		base = strrchr(dir, '/');
		snprintf(name, sizeof name, "%s.%s", base ? base + 1 : dir,
			 a.target);
		free(dir);
		a.out = name;
	}
	if (a.out[0] != '/' && !getcwd(cwd, sizeof cwd))
		err(PITH_TOOL_FAIL, "build: getcwd");
	if ((size_t)snprintf(out, sizeof out, "%s%s%s",
			     a.out[0] == '/' ? "" : cwd,
			     a.out[0] == '/' ? "" : "/", a.out) >= sizeof out)
		errx(PITH_TOOL_FAIL, "build: %s: path too long", a.out);
	r = run_make(&a, out);
	if (r != 0) {
		warnx("build: %s: the build failed (make exited with %d)",
		      a.dir, r);
		return PITH_TOOL_FAIL;
	}
	if (stat(out, &st) < 0)
		err(PITH_TOOL_FAIL, "build: %s", out);
	printf("pith build: %s (%s target, %lld bytes)\n", a.out, a.target,
	       (long long)st.st_size);
	return 0;
}
