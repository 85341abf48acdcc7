# The host tool build/unielf: every tools/unielf/*.c, compiled with HOSTCFLAGS.
UNIELF_SRCS := $(sort $(wildcard tools/unielf/*.c))
UNIELF_OBJS := $(patsubst tools/unielf/%.c,$(BUILD)/tool/%.o,$(UNIELF_SRCS))
# Linux host tool: GNU extensions (pipe2, mkostemp, strchrnul) are fair game.
UNIELF_CFLAGS := $(HOSTCFLAGS) -D_GNU_SOURCE

$(BUILD)/tool/%.o: tools/unielf/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(UNIELF_CFLAGS) -c $< -o $@

$(BUILD)/unielf: $(UNIELF_OBJS)
	$(Q)$(HOSTCC) $(UNIELF_CFLAGS) -o $@ $(UNIELF_OBJS)
	@echo "  HOSTLD  $@"

unielf: $(BUILD)/unielf
.PHONY: unielf

ALL_TARGETS += $(BUILD)/unielf
