# Toolchain and flags shared by every pith build: host tools, unit tests
# and images. Included by the top-level Makefile and by mk/app.mk.

HOST_CC ?= gcc
WARN := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wwrite-strings \
	-Wstrict-prototypes -Wmissing-prototypes
HOST_CFLAGS := -std=c11 -O2 -g -D_GNU_SOURCE $(WARN) -I$(PITH_ROOT)/include

# Unit tests run the libraries on the host under the sanitizers.
SAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

# The guest C library: Debian's musl-dev.
MUSL_INC := /usr/include/x86_64-linux-musl
MUSL_LIB := /usr/lib/x86_64-linux-musl
GCC_INC := $(shell $(HOST_CC) -print-file-name=include)
LIBGCC := $(shell $(HOST_CC) -print-libgcc-file-name)

# Kernel UAPI headers for guest code (<linux/...>), without the rest of
# glibc's include directory: build/kernel-include holds three links.
KERNEL_INC := $(PITH_ROOT)/build/kernel-include

# Flags for all code that goes into an image. Frame pointers everywhere
# (backtraces and the profiler walk them); no unwind tables (the image
# does not unwind, and gdb reads .debug_frame).
GUEST_CFLAGS := -std=c11 -O2 -g -fno-omit-frame-pointer \
	-mno-omit-leaf-frame-pointer -fstack-protector-strong -fno-pie \
	-ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -nostdinc -isystem $(MUSL_INC) \
	-isystem $(KERNEL_INC) -isystem $(GCC_INC) -I$(PITH_ROOT)/include \
	-D_DEFAULT_SOURCE $(WARN)

# Platform code and lib/posix run before SSE is set up on the ring-0
# targets and inside traps: no vector registers, ever.
KERNEL_CFLAGS := -mgeneral-regs-only -Os

GUEST_LIBS_DIR = $(PITH_ROOT)/build/$(TARGET)/lib
IMAGEGEN := $(PITH_ROOT)/build/bin/pith-imagegen

# Quiet builds: "  CC file" lines unless V=1.
ifeq ($(V),1)
Q :=
msg = @:
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2)
endif
