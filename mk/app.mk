# Builds one pith application into an image. An application directory
# holds its sources, a `manifest` (devices it needs) and a Makefile:
#
#     APP  := hello            # image name
#     SRCS := hello.c          # its C sources
#     LIBS :=                  # pith libraries it uses, lowest last
#     include ../../mk/app.mk
#
# `make [TARGET=linux] [OUT=FILE]` there, or `pith build DIR --target T
# -o FILE`, produces the image. The link happens twice: the first link's
# function symbols and its map (bytes per library) are embedded in the
# second, and imagegen verify checks that no function moved between them.

PITH_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
APP_MAKEFILE := $(abspath $(firstword $(MAKEFILE_LIST)))
TARGET ?= linux
include $(PITH_ROOT)/mk/config.mk
ifeq ($(wildcard $(PITH_ROOT)/mk/target-$(TARGET).mk),)
$(error unknown target '$(TARGET)' (available: linux, kvm, virtio))
endif
include $(PITH_ROOT)/mk/target-$(TARGET).mk

B := $(CURDIR)/build/$(TARGET)
GEN := $(B)/gen
OUT ?= $(B)/$(APP).$(TARGET)
MANIFEST ?= $(CURDIR)/manifest

# LIBC := none makes a bare image: no libc, SSE-free code, main called
# directly (smoke appliances for hosts whose KVM cannot run SSE code).
LIBC ?= musl
ifeq ($(LIBC),none)
ifeq ($(TARGET_RUNTIME_none),)
$(error the $(TARGET) target cannot build bare (LIBC := none) images)
endif
APP_CFLAGS += -mgeneral-regs-only
LIBC_ARCHIVE :=
else
LIBC_ARCHIVE := $(MUSL_LIB)/libc.a
endif
RUNTIME := $(TARGET_RUNTIME_$(LIBC))

OBJS := $(patsubst %.c,$(B)/obj/%.o,$(SRCS))
LIB_ARCHIVES := $(foreach l,$(LIBS),$(GUEST_LIBS_DIR)/libpith-$(l).a) \
	$(GUEST_LIBS_DIR)/libpith-posix.a \
	$(foreach r,$(RUNTIME),$(GUEST_LIBS_DIR)/$(r)) \
	$(GUEST_LIBS_DIR)/libpith-platform.a
LINK_LIBS := -Wl,--start-group $(LIB_ARCHIVES) $(LIBC_ARCHIVE) \
	$(LIBGCC) -Wl,--end-group
FIRST_OBJS := $(OBJS) $(GEN)/notes.o $(foreach g,$(TARGET_GEN),$(GEN)/$(g).o)
LINK = $(HOST_CC) $(TARGET_LDFLAGS)

.PHONY: all image
.DELETE_ON_ERROR:

# The libraries and imagegen come from the top-level Makefile; a second
# make then sees their fresh timestamps.
all:
	$(Q)$(MAKE) -s -C $(PITH_ROOT) host-tools target-libs TARGET=$(TARGET)
	$(Q)$(MAKE) -f $(APP_MAKEFILE) image TARGET=$(TARGET) OUT=$(OUT)

image: $(OUT)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call msg,CC,$<)
	$(Q)$(HOST_CC) $(GUEST_CFLAGS) $(APP_CFLAGS) -MMD -MP -c $< -o $@

-include $(OBJS:.o=.d)

$(GEN)/notes.S: $(MANIFEST) $(IMAGEGEN)
	@mkdir -p $(GEN)
	$(call msg,GEN,$(notdir $@))
	$(Q)$(IMAGEGEN) manifest $(TARGET) $(MANIFEST) $@

$(GEN)/seccomp.c: $(MANIFEST) $(IMAGEGEN)
	@mkdir -p $(GEN)
	$(call msg,GEN,$(notdir $@))
	$(Q)$(IMAGEGEN) seccomp $(MANIFEST) $@

$(GEN)/%.o: $(GEN)/%.S
	$(Q)$(HOST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GEN)/%.o: $(GEN)/%.c
	$(Q)$(HOST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(B)/first.elf: $(FIRST_OBJS) $(LIB_ARCHIVES) $(TARGET_LDS)
	$(call msg,LD,$(notdir $@))
	$(Q)$(LINK) -Wl,-Map,$(B)/first.map -o $@ $(FIRST_OBJS) $(LINK_LIBS)

$(GEN)/syms.S: $(B)/first.elf $(IMAGEGEN)
	$(Q)$(IMAGEGEN) syms $< $@

$(GEN)/sizes.S: $(B)/first.elf $(IMAGEGEN)
	$(Q)$(IMAGEGEN) sizes $< $(B)/first.map $@

$(OUT): $(B)/first.elf $(GEN)/syms.o $(GEN)/sizes.o
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)
	$(Q)$(LINK) -o $@.tmp $(FIRST_OBJS) $(GEN)/syms.o $(GEN)/sizes.o \
		$(LINK_LIBS)
	$(Q)$(IMAGEGEN) verify $(B)/first.elf $@.tmp
	$(if $(TARGET_NOT_EXECUTABLE),$(Q)chmod a-x $@.tmp)
	$(Q)mv $@.tmp $@
