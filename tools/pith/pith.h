/* The `pith` command: one file per subcommand (build.c, run.c,
 * inspect.c), shared image reading in image.c. */
#ifndef PITH_TOOL_H
#define PITH_TOOL_H

#include "../../platform/common/manifest.h"
#include "../common/elf.h"
#include "pith/abi/image.h"

/* Exit statuses of the pith command itself (`pith run` passes the
 * appliance's own status through instead). */
#define PITH_TOOL_FAIL	1 /* the operation failed; a message says why */
#define PITH_TOOL_USAGE 2 /* the command line was malformed */

/* A pith image opened for reading. */
struct image {
	struct elf_file elf;
	struct pith_note_target target;
	struct pith_manifest manifest;
	const char *manifest_text;
	size_t manifest_len;
};

/* Opens PATH as a pith image. On failure prints "pith CMD: PATH: why"
 * and returns -1. */
int image_open(const char *cmd, const char *path, struct image *img);
void image_close(struct image *img);

/* The directory the pith tree lives in (mk/, platform/, ...). */
const char *pith_root(void);

/* Whether TARGET is one pith can build and run today. */
int target_supported(const char *target);

/* With -p rules or --net NAME=user among ARGS (ARGS[0] the image),
 * starts pith-net and returns new arguments that attach the device to it
 * (NAME=fd:N), with a free slot before them; else returns ARGS. Exits with a message on bad rules, a
 * port in use, or no device to attach. */
char **usernet_args(const struct image *img, int n, char **args);

/* The -p rules of a virtio image, for QEMU's own user networking: a
 * virtio image's device is attached as NAME=user and QEMU forwards. */
extern const char *usernet_rules[];
extern unsigned usernet_nrules;

int cmd_build(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_symbolize(int argc, char **argv);
int cmd_debug(int argc, char **argv);
int cmd_profile(int argc, char **argv);

/* Source lines from an image's DWARF (symbolize.c). sym_open never fails
 * outright: without debug information it annotates nothing. */
struct symbolizer;
struct symbolizer *sym_open(const char *image);
void sym_close(struct symbolizer *s);
/* Copies LINE (LEN bytes) into OUT (CAP bytes), with " at FILE:LINE"
 * added if it is a crash report's frame that S can place; returns the
 * bytes written. S may be NULL. */
size_t sym_annotate(struct symbolizer *s, const char *line, size_t len,
		    char *out, size_t cap);

/* Runs PATH with ARGV as a child whose stderr is relayed with source
 * lines for IMAGE's crash reports (relay.c); returns its exit status, or
 * dies of the signal that killed it. */
int relay_run(const char *path, char **argv, const char *image);

/* Copies FD to stderr until it closes, adding source lines to IMAGE's
 * crash reports. */
void relay_stderr(int fd, const char *image);

/* Makes pith_symbolize() (platform/common/symbols.h) name IMG's
 * functions from its embedded symbol table (imagesym.c). */
void image_symbols_use(const struct image *img);

/* pith run of a virtio image (run_virtio.c): ARGV as cmd_run's, IMG open.
 * Returns the appliance's exit status. */
int run_virtio(int argc, char **argv, struct image *img);

#endif
