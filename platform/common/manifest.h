/* The manifest: which devices an application needs, by name and type.
 *
 * An application directory holds a text file `manifest`, one device per
 * line:
 *
 *     # an HTTP appliance with its content on a disk
 *     net service
 *     block content
 *
 * The build checks it and embeds the text in the image (an ELF note); the
 * platform or monitor parses it again before anything runs, because an
 * image is input from outside. Names start with a lower-case letter and
 * continue with lower-case letters, digits, '-' and '_' (at most
 * PITH_DEVICE_NAME_MAX). Blank lines and '#' comments are ignored. The
 * order of lines fixes the device handles: the first device is handle 0.
 */
#ifndef PITH_MANIFEST_H
#define PITH_MANIFEST_H

#include <stddef.h>

#include "pith/param.h"

enum pith_dev_type {
	PITH_DEV_NET = 1,
	PITH_DEV_BLOCK = 2,
};

struct pith_device_decl {
	enum pith_dev_type type;
	char name[PITH_DEVICE_NAME_MAX + 1];
};

struct pith_manifest {
	unsigned count;
	struct pith_device_decl dev[PITH_DEVICES_MAX];
};

/* Where and why a manifest was refused. WHAT is a static string. */
struct pith_manifest_error {
	unsigned line; /* 1-based; 0 when the text as a whole is refused */
	const char *what;
};

/* Parses LEN bytes of TEXT (a trailing NUL, if any, is not part of it).
 *   0        *M holds the devices in order;
 *   -1       refused; *ERR says where and why, *M is unspecified. */
int pith_manifest_parse(const char *text, size_t len, struct pith_manifest *m,
			struct pith_manifest_error *err);

/* The device named NAME in M, or NULL. */
const struct pith_device_decl *pith_manifest_find(const struct pith_manifest *m,
						  const char *name);

/* The handle (index) of the device NAME of TYPE in M, or -1. */
int pith_manifest_handle(const struct pith_manifest *m, const char *name,
			 enum pith_dev_type type);

/* "net" or "block". */
const char *pith_dev_type_name(enum pith_dev_type t);

#endif
