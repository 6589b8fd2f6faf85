# The linux target: a static executable linked against musl with our own
# entry point and linker script. See platform/linux/.

TARGET_LDS := $(PITH_ROOT)/platform/linux.lds
TARGET_LDFLAGS := -static -nostdlib -nostartfiles -no-pie \
	-Wl,-T,$(TARGET_LDS) -Wl,--gc-sections -Wl,-z,noexecstack \
	-Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-u,abort
# The image parts imagegen makes for this target besides the notes.
TARGET_GEN := seccomp
TARGET_RUNTIME_musl :=
