# Unit tests of the host tool: tests/unit/tool/*_test.c, each linked with the tool's
# sources (all but main.c, plus kernel/live/wire.c and sha256.c) built again with the sanitizers, and with cmocka.
TOOL_UT_DIR      := $(BUILD)/tool-unit
TOOL_UT_CFLAGS   := $(HOSTCFLAGS) -D_GNU_SOURCE $(SAN_CFLAGS) -Itools/unielf
TOOL_UT_LIB_SRCS := $(filter-out tools/unielf/main.c,$(sort $(wildcard tools/unielf/*.c)))
TOOL_UT_LIB_OBJS := $(patsubst tools/unielf/%.c,$(TOOL_UT_DIR)/lib/%.o,$(TOOL_UT_LIB_SRCS))
TOOL_UT_SHARED_OBJS := $(patsubst kernel/live/%.c,$(TOOL_UT_DIR)/lib/shared/%.o,kernel/live/wire.c kernel/live/sha256.c)
TOOL_UT_SRCS     := $(sort $(wildcard tests/unit/tool/*_test.c))
TOOL_UT_OBJS     := $(patsubst tests/unit/tool/%.c,$(TOOL_UT_DIR)/%.o,$(TOOL_UT_SRCS))
TOOL_UT_BINS     := $(patsubst tests/unit/tool/%.c,$(TOOL_UT_DIR)/%,$(TOOL_UT_SRCS))

$(TOOL_UT_LIB_OBJS): $(TOOL_UT_DIR)/lib/%.o: tools/unielf/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(TOOL_UT_CFLAGS) -c $< -o $@

$(TOOL_UT_DIR)/lib/shared/%.o: kernel/live/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(TOOL_UT_CFLAGS) -c $< -o $@

$(TOOL_UT_DIR)/libunielf.a: $(TOOL_UT_LIB_OBJS) $(TOOL_UT_SHARED_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(TOOL_UT_OBJS): $(TOOL_UT_DIR)/%.o: tests/unit/tool/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(TOOL_UT_CFLAGS) -c $< -o $@

$(TOOL_UT_BINS): $(TOOL_UT_DIR)/%: $(TOOL_UT_DIR)/%.o $(TOOL_UT_DIR)/libunielf.a
	$(Q)$(HOSTCC) $(TOOL_UT_CFLAGS) -o $@ $< $(TOOL_UT_DIR)/libunielf.a -lcmocka
	@echo "  HOSTLD  $@"

tool-unit: $(TOOL_UT_BINS)
	$(Q)set -e; for t in $(TOOL_UT_BINS); do echo "  UNIT    $$t"; $$t; done
.PHONY: tool-unit

UNIT_TESTS += $(TOOL_UT_BINS)
