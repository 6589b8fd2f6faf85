# The kvm target: a ring-0 image for pith's monitor (monitor/, started by
# `pith run IMAGE.kvm`). See platform/x86_64/ and platform/kvm/.

# The image is not a Linux program: without the execute bits, running it
# directly fails with "Permission denied" instead of a crash.
TARGET_NOT_EXECUTABLE := 1
TARGET_LDS := $(PITH_ROOT)/platform/kvm.lds
TARGET_LDFLAGS := -static -nostdlib -nostartfiles -no-pie \
	-Wl,-T,$(TARGET_LDS) -Wl,--gc-sections -Wl,-z,noexecstack \
	-Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-u,abort
TARGET_GEN :=
# How the application starts: through musl, or bare (LIBC := none).
TARGET_RUNTIME_musl := libpith-musl.a
TARGET_RUNTIME_none := libpith-bare.a
