# The host tool build/unielf: every tools/unielf/*.c, compiled with HOSTCFLAGS,
# plus the portable control-frame codec and SHA-256 it shares with the kernel.
UNIELF_SRCS := $(sort $(wildcard tools/unielf/*.c))
UNIELF_SHARED_SRCS := kernel/live/wire.c kernel/live/sha256.c
UNIELF_OBJS := $(patsubst tools/unielf/%.c,$(BUILD)/tool/%.o,$(UNIELF_SRCS)) \
	$(patsubst kernel/live/%.c,$(BUILD)/tool/shared/%.o,$(UNIELF_SHARED_SRCS))
# Linux host tool: GNU extensions (pipe2, mkostemp, strchrnul) are fair game.
UNIELF_CFLAGS := $(HOSTCFLAGS) -D_GNU_SOURCE

$(BUILD)/tool/%.o: tools/unielf/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(UNIELF_CFLAGS) -c $< -o $@

$(BUILD)/tool/shared/%.o: kernel/live/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(UNIELF_CFLAGS) -c $< -o $@

$(BUILD)/unielf: $(UNIELF_OBJS)
	$(Q)$(HOSTCC) $(UNIELF_CFLAGS) -o $@ $(UNIELF_OBJS)
	@echo "  HOSTLD  $@"

unielf: $(BUILD)/unielf
.PHONY: unielf

ALL_TARGETS += $(BUILD)/unielf

# End-to-end tests of the control channel (real VMs under TCG): see
# tests/e2e/control/run.py.  Needs build/kernel.elf and build/unielf.
e2e-control: $(BUILD)/unielf $(BUILD)/kernel.elf
	$(Q)python3 tests/e2e/control/run.py --build $(BUILD)
.PHONY: e2e-control

TEST_TARGETS += e2e-control
