# pith: the unikernel toolkit. `make` builds the tools and the libraries
# of the default target; `make test` runs every test; `make run` serves
# the demo site from the httpd appliance on http://localhost:8080;
# `make deps` installs what the build needs.
# See README.md.

PITH_ROOT := $(CURDIR)
TARGET ?= linux
include mk/config.mk

.PHONY: all host-tools target-libs test unit-tests run deps check format \
	bench clean fuzz fuzzers
.DELETE_ON_ERROR:

all: host-tools target-libs

# --- Host tools -------------------------------------------------------

SHARED_SRCS := platform/common/fmt.c platform/common/manifest.c \
	platform/common/options.c tools/common/elf.c
PITH_SRCS := $(wildcard tools/pith/*.c) $(SHARED_SRCS) tools/common/portfwd.c \
	platform/linux/hostdev.c platform/common/crash.c \
	platform/common/symbols.c platform/common/core.c \
	platform/common/core_file.c platform/common/profile.c
IMAGEGEN_SRCS := $(wildcard tools/imagegen/*.c) $(SHARED_SRCS) \
	platform/linux/policy.c

MONITOR_SRCS := $(wildcard monitor/*.c) $(SHARED_SRCS) \
	platform/common/crash.c platform/common/crash_x86.c \
	platform/common/symbols.c \
	platform/common/core.c platform/common/core_file.c \
	platform/common/profile.c \
	platform/linux/hostdev.c

NET_TOOL_SRCS := $(wildcard tools/net/*.c) tools/common/portfwd.c \
	platform/common/fmt.c

host-tools: build/bin/pith build/bin/pith-imagegen build/bin/pith-kvm \
	build/bin/pith-net build/bin/pith-kvm-probe

build/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$<)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

build/bin/pith: $(PITH_SRCS:%.c=build/host/%.o)
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)
	$(Q)$(HOST_CC) -o $@ $^ -ldl

build/bin/pith-imagegen: $(IMAGEGEN_SRCS:%.c=build/host/%.o)
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)
	$(Q)$(HOST_CC) -o $@ $^ -lseccomp -lz

# The PVH payload with which `pith run` asks whether KVM can run a
# guest's SSE code (tools/pith/accel.c).
build/bin/pith-kvm-probe: tools/pith/kvm_probe.S tools/pith/pvh_payload.lds \
	platform/virtio/pvh_note.h
	@mkdir -p $(dir $@)
	$(call msg,AS,$<)
	$(Q)$(HOST_CC) -c $< -o $@.o
	$(Q)ld -m elf_x86_64 -T tools/pith/pvh_payload.lds -e probe \
		-z noexecstack --build-id=none -o $@ $@.o
	$(Q)rm -f $@.o

# Static: no dynamic loader at start, and only the libc code it uses in
# memory (the monitor's resident size is part of its budget).
build/bin/pith-kvm: $(MONITOR_SRCS:%.c=build/host/%.o)
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)
	$(Q)$(HOST_CC) -static -o $@ $^ -lseccomp

# User-mode networking (libslirp): its own process, its own confinement.
build/bin/pith-net: $(NET_TOOL_SRCS:%.c=build/host/%.o)
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)
	$(Q)$(HOST_CC) -o $@ $^ -lslirp -lseccomp

# --- Guest libraries (per target) -------------------------------------

G := build/$(TARGET)
# Each target: its platform sources, and the runtime libraries that start
# the application (ring-0 targets: through musl, or bare).
PLATFORM_SRCS_linux := $(wildcard platform/linux/*.c platform/linux/*.S)
PLATFORM_SRCS_kvm := $(wildcard platform/x86_64/*.c platform/x86_64/*.S \
	platform/kvm/*.c)
RUNTIME_LIBS_kvm := musl bare
PLATFORM_SRCS_virtio := $(wildcard platform/x86_64/*.c platform/x86_64/*.S \
	platform/virtio/*.c platform/virtio/*.S)
RUNTIME_LIBS_virtio := musl bare
PLATFORM_SRCS := $(wildcard platform/common/*.c) $(PLATFORM_SRCS_$(TARGET))
POSIX_SRCS := $(wildcard lib/posix/*.c)
CORE_SRCS := $(wildcard lib/core/*.c) $(wildcard lib/core/*.S)
NET_SRCS := $(wildcard lib/net/*.c)
FS_SRCS := $(wildcard lib/fs/*.c)
HTTP_SRCS := $(wildcard lib/http/*.c)
PLATFORM_OBJS := $(patsubst %,$(G)/obj/%.o,$(basename $(PLATFORM_SRCS))) \
	$(G)/obj/gen/syscall_names.o
POSIX_OBJS := $(patsubst %.c,$(G)/obj/%.o,$(POSIX_SRCS))
MUSL_RT_OBJS := $(patsubst %.c,$(G)/obj/%.o,$(wildcard platform/x86_64/musl/*.c))
BARE_RT_OBJS := $(patsubst %.c,$(G)/obj/%.o,$(wildcard platform/x86_64/bare/*.c))
CORE_OBJS := $(patsubst %,$(G)/obj/%.o,$(basename $(CORE_SRCS)))
NET_OBJS := $(patsubst %.c,$(G)/obj/%.o,$(NET_SRCS))
FS_OBJS := $(patsubst %.c,$(G)/obj/%.o,$(FS_SRCS))
HTTP_OBJS := $(patsubst %.c,$(G)/obj/%.o,$(HTTP_SRCS))

target-libs: $(G)/lib/libpith-platform.a $(G)/lib/libpith-posix.a \
	$(G)/lib/libpith-core.a $(G)/lib/libpith-net.a \
	$(G)/lib/libpith-fs.a $(G)/lib/libpith-http.a \
	$(RUNTIME_LIBS_$(TARGET):%=$(G)/lib/libpith-%.a)

# The bare C library's loops must stay loops, not calls to themselves.
$(BARE_RT_OBJS): KERNEL_CFLAGS += -fno-tree-loop-distribute-patterns

build/kernel-include/.done:
	@mkdir -p $(dir $@)
	$(Q)ln -sfn /usr/include/linux $(dir $@)linux
	$(Q)ln -sfn /usr/include/asm-generic $(dir $@)asm-generic
	$(Q)ln -sfn /usr/include/x86_64-linux-gnu/asm $(dir $@)asm
	@touch $@

build/gen/syscall_names.c: mk/gen-syscall-names.sh
	@mkdir -p $(dir $@)
	$(call msg,GEN,$@)
	$(Q)sh $< > $@

$(G)/obj/%.o: %.c build/kernel-include/.done
	@mkdir -p $(dir $@)
	$(call msg,CC,$<)
	$(Q)$(HOST_CC) $(GUEST_CFLAGS) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

# The libOS libraries run after SSE is set up: compiled normally.
LIBOS_C_OBJS := $(patsubst %.c,$(G)/obj/%.o,$(filter %.c,$(CORE_SRCS) \
	$(NET_SRCS) $(FS_SRCS) $(HTTP_SRCS)))
$(LIBOS_C_OBJS): $(G)/obj/%.o: %.c build/kernel-include/.done
	@mkdir -p $(dir $@)
	$(call msg,CC,$<)
	$(Q)$(HOST_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(G)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(call msg,AS,$<)
	$(Q)$(HOST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(G)/obj/gen/syscall_names.o: build/gen/syscall_names.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(GUEST_CFLAGS) $(KERNEL_CFLAGS) -Iplatform/common \
		-c $< -o $@

$(G)/lib/libpith-platform.a: $(PLATFORM_OBJS)
$(G)/lib/libpith-posix.a: $(POSIX_OBJS)
$(G)/lib/libpith-musl.a: $(MUSL_RT_OBJS)
$(G)/lib/libpith-bare.a: $(BARE_RT_OBJS)
$(G)/lib/libpith-core.a: $(CORE_OBJS)
$(G)/lib/libpith-net.a: $(NET_OBJS)
$(G)/lib/libpith-fs.a: $(FS_OBJS)
$(G)/lib/libpith-http.a: $(HTTP_OBJS)
$(G)/lib/libpith-%.a:
	@mkdir -p $(dir $@)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# --- Tests ------------------------------------------------------------

# The site packer's core: the unit tests and the fuzz harness pack their
# sites with the code the build uses.
SITEPACK_SRCS := tools/imagegen/sitepack.c tools/imagegen/sha256.c

UNIT_SRCS := $(wildcard tests/unit/*.c) \
	$(filter-out tests/unit/monitor/% tests/unit/virtio/%, \
		$(wildcard tests/unit/*/*.c)) \
	platform/common/fmt.c platform/common/manifest.c \
	platform/common/options.c platform/common/symbols.c \
	platform/common/crash.c lib/posix/mem.c lib/posix/io.c tools/pith/rsp.c \
	platform/linux/tso.c tests/common/gso.c \
	lib/posix/time.c lib/posix/syscall.c build/gen/syscall_names.c \
	$(CORE_SRCS) $(NET_SRCS) $(FS_SRCS) $(HTTP_SRCS) $(SITEPACK_SRCS)
UNIT_OBJS := $(patsubst %,build/san/%.o,$(basename $(UNIT_SRCS)))

build/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(call msg,SANCC,$<)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(SAN_CFLAGS) -Iplatform/common \
		-Itests/unit -MMD -MP -c $< -o $@

build/san/%.o: %.S
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -c $< -o $@

build/tests/unit: $(UNIT_OBJS)
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -o $@ $^ -lz

# The monitor's own unit tests: memory accessor, hypercalls, image checks.
MONITOR_UNIT_SRCS := tests/unit/runner.c $(wildcard tests/unit/monitor/*.c) \
	monitor/mem.c monitor/hypercall.c monitor/report.c monitor/image.c \
	tools/common/elf.c platform/common/fmt.c platform/common/manifest.c \
	platform/common/crash.c platform/common/crash_x86.c \
	platform/common/symbols.c

build/tests/unit-monitor: $(MONITOR_UNIT_SRCS:%.c=build/san/%.o)
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -o $@ $^

# The virtio target's queues and drivers against a fake device.
VIRTIO_UNIT_SRCS := tests/unit/runner.c $(wildcard tests/unit/virtio/*.c) \
	platform/virtio/virtq.c platform/virtio/vdev.c platform/virtio/vnet.c \
	platform/virtio/vblk.c

build/tests/unit-virtio: $(VIRTIO_UNIT_SRCS:%.c=build/san/%.o)
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -o $@ $^

unit-tests: build/tests/unit build/tests/unit-monitor build/tests/unit-virtio

# The net test bench's impairing forwarder (tests/net/wire.c).
build/tests/wire: tests/net/wire.c tests/common/gso.c tests/common/gso.h
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$<)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^)

# libFuzzer harnesses (clang): the network stack's input, the kvm
# monitor's hypercalls and image checks. `make fuzz FUZZ_TIME=SECONDS`
# runs each for that long (default 60); `make test` runs a short smoke.
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=c11 -g -O1 -D_GNU_SOURCE -I$(PITH_ROOT)/include \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
MONITOR_FUZZ_SRCS := monitor/mem.c monitor/hypercall.c monitor/report.c \
	monitor/image.c tools/common/elf.c platform/common/fmt.c \
	platform/common/manifest.c platform/common/crash.c \
	platform/common/crash_x86.c platform/common/symbols.c
NET_FUZZ_SRCS := tests/fuzz/net_input.c tests/unit/fake_platform.c \
	tests/common/gso.c tests/unit/net/frames.c \
	platform/common/symbols.c platform/common/fmt.c $(CORE_SRCS) $(NET_SRCS)
# The engine without its TCP adapter (serve.c): the harness is the
# transport.
HTTP_FUZZ_SRCS := tests/fuzz/http_request.c tests/unit/http/harness.c \
	tests/unit/fs/fs_site.c tests/unit/fake_platform.c \
	tests/common/gso.c platform/common/symbols.c platform/common/fmt.c $(FS_SRCS) \
	$(filter-out lib/http/serve.c,$(HTTP_SRCS)) $(SITEPACK_SRCS)
FUZZERS := build/fuzz/net_input build/fuzz/kvm_hypercall build/fuzz/kvm_elf \
	build/fuzz/http_request
FUZZ_TIME ?= 60

build/fuzz/kvm_%: tests/fuzz/kvm_%.c $(MONITOR_FUZZ_SRCS)
	@mkdir -p $(dir $@)
	$(call msg,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^

build/fuzz/net_input: $(NET_FUZZ_SRCS) $(wildcard lib/net/*.h lib/core/*.h)
	@mkdir -p $(dir $@)
	$(call msg,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Iplatform/common -Itests/unit -o $@ \
		$(NET_FUZZ_SRCS)

build/fuzz/corpus/net_input/.done: tests/fuzz/seeds.py
	$(Q)python3 $< $(dir $@) && touch $@

build/fuzz/http_request: $(HTTP_FUZZ_SRCS) $(wildcard lib/http/*.h)
	@mkdir -p $(dir $@)
	$(call msg,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Iplatform/common -Itests/unit -o $@ \
		$(HTTP_FUZZ_SRCS) -lz

build/fuzz/corpus/http_request/.done: tests/fuzz/http_seeds.py
	$(Q)python3 $< $(dir $@) && touch $@

fuzzers: $(FUZZERS) build/fuzz/corpus/net_input/.done \
	build/fuzz/corpus/http_request/.done

fuzz: fuzzers all
	@tests/fuzz/run $(FUZZ_TIME)

test: all unit-tests build/tests/wire fuzzers
	@tests/run

# --- Everything else ----------------------------------------------------

# The demo: deps, build, the httpd appliance with apps/httpd/site on
# http://localhost:$(PORT) (tools/demo/run says how; Ctrl-C stops it).
run:
	@tools/demo/run

deps:
	@mk/deps.sh

CHECKED_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
check:
	@clang-format --dry-run --Werror $(CHECKED_SRCS) && echo "style: clean"

format:
	@clang-format -i $(CHECKED_SRCS)

bench: all
	@bench/boot/run
	@bench/net/run
	@bench/net/tcp
	@bench/http/run

clean:
	rm -rf build apps/*/build tests/e2e/*/build

-include $(shell find build -name '*.d' 2>/dev/null)
