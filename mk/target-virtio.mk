# The virtio target: a PVH-bootable ring-0 image for QEMU (microvm, q35),
# Firecracker and cloud-hypervisor, with its own drivers (16550 serial,
# virtio-net, virtio-blk). See platform/virtio/ and docs/deploying.md.

# The image is not a Linux program: without the execute bits, running it
# directly fails with "Permission denied" instead of a crash.
TARGET_NOT_EXECUTABLE := 1
TARGET_LDS := $(PITH_ROOT)/platform/virtio.lds
# --wrap: musl's __stack_chk_fail halts, which in ring 0 stops the CPU
# with nothing to report it; the platform's own version reports it.
TARGET_LDFLAGS := -static -nostdlib -nostartfiles -no-pie \
	-Wl,-T,$(TARGET_LDS) -Wl,--gc-sections -Wl,-z,noexecstack \
	-Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-u,abort \
	-Wl,--wrap=__stack_chk_fail
TARGET_GEN :=
# How the application starts: through musl, or bare (LIBC := none).
TARGET_RUNTIME_musl := libpith-musl.a
TARGET_RUNTIME_none := libpith-bare.a
