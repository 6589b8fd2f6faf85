/* Reading a pith image's notes: the target and the manifest, both
 * checked as untrusted input. */
#include <err.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pith.h"

int image_open(const char *cmd, const char *path, struct image *img)
{
	char why[128];
	const void *desc;
	size_t len;
	struct pith_manifest_error me;

	memset(img, 0, sizeof *img);
	if (elf_open(path, &img->elf, why, sizeof why) < 0) {
		warnx("%s: %s: %s", cmd, path, why);
		return -1;
	}
	if (elf_pith_note(&img->elf, PITH_NOTE_TARGET, &desc, &len) < 0 ||
	    len != sizeof img->target) {
		warnx("%s: %s: not a pith image (no PITH target note)", cmd,
		      path);
		goto fail;
	}
	memcpy(&img->target, desc, sizeof img->target);
	if (img->target.target[PITH_TARGET_NAME_MAX] != '\0' ||
	    img->target.abi_version != PITH_IMAGE_ABI_VERSION) {
		warnx("%s: %s: image ABI version %u, this pith reads version "
		      "%u",
		      cmd, path, img->target.abi_version,
		      PITH_IMAGE_ABI_VERSION);
		goto fail;
	}
	/* The manifest note holds the text and a NUL. */
	if (elf_pith_note(&img->elf, PITH_NOTE_MANIFEST, &desc, &len) < 0 ||
	    len == 0 || ((const char *)desc)[len - 1] != '\0') {
		warnx("%s: %s: image has no well-formed manifest note", cmd,
		      path);
		goto fail;
	}
	img->manifest_text = desc;
	img->manifest_len = len - 1;
	if (pith_manifest_parse(img->manifest_text, img->manifest_len,
				&img->manifest, &me) < 0) {
		warnx("%s: %s: embedded manifest refused: line %u: %s", cmd,
		      path, me.line, me.what);
		goto fail;
	}
	return 0;
fail:
	elf_close(&img->elf);
	return -1;
}

void image_close(struct image *img)
{
	elf_close(&img->elf);
}

const char *pith_root(void)
{
	static char root[PATH_MAX];
	char *slash;
	ssize_t n;

	if (root[0])
		return root;
	const char *env = getenv("PITH_ROOT");
	if (env && *env) {
		snprintf(root, sizeof root, "%s", env);
		return root;
	}
	/* build/bin/pith -> the tree two levels up. */
	n = readlink("/proc/self/exe", root, sizeof root - 1);
	if (n <= 0)
		errx(PITH_TOOL_FAIL,
		     "cannot find the pith tree; set PITH_ROOT");
	root[n] = '\0';
	for (int up = 0; up < 3; up++) {
		slash = strrchr(root, '/');
		if (!slash)
			errx(PITH_TOOL_FAIL,
			     "cannot find the pith tree; set PITH_ROOT");
		*slash = '\0';
	}
	return root;
}

int target_supported(const char *target)
{
	return strcmp(target, "linux") == 0 || strcmp(target, "kvm") == 0 ||
	       strcmp(target, "virtio") == 0;
}
