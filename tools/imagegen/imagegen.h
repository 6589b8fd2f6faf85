/* imagegen: the build's helper that turns an application's manifest, the
 * seccomp policy and the first link of an image into the parts embedded
 * in the final image (see mk/app.mk for the order). */
#ifndef PITH_IMAGEGEN_H
#define PITH_IMAGEGEN_H

#include <stdio.h>

#include "../../platform/common/manifest.h"

/* Reads and checks MANIFEST (exits with a message naming file:line). */
void ig_read_manifest(const char *path, struct pith_manifest *m, char **text,
		      size_t *len);

/* Opens OUT for writing or exits with a message. */
FILE *ig_create(const char *path);
/* Closes OUT, exiting with a message if anything failed to write. */
void ig_finish(FILE *out, const char *path);

/* Writes LEN bytes of P and a NUL as .byte lines. */
void ig_bytes(FILE *o, const char *p, size_t len);

int ig_seccomp(int argc, char **argv);
int ig_syms(int argc, char **argv);
int ig_sizes(int argc, char **argv);
int ig_verify(int argc, char **argv);
int ig_site(int argc, char **argv);

#endif
