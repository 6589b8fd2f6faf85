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

int cmd_build(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_inspect(int argc, char **argv);

/* pith run of a virtio image (run_virtio.c): ARGV as cmd_run's, IMG open.
 * Returns the appliance's exit status. */
int run_virtio(int argc, char **argv, struct image *img);

#endif
