# SPDX-License-Identifier: MIT
# Host unit tests of the portable parts of kernel/live/.
$(BUILD)/unit/live/sha256_test: tests/unit/live/sha256_test.c kernel/live/sha256.c kernel/live/sha256.h
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOSTCFLAGS) $(SAN_CFLAGS) -o $@ tests/unit/live/sha256_test.c kernel/live/sha256.c -lcmocka

UNIT_TESTS += $(BUILD)/unit/live/sha256_test

$(BUILD)/unit/live/wire_test: tests/unit/live/wire_test.c kernel/live/wire.c kernel/live/wire.h kernel/live/sha256.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOSTCFLAGS) $(SAN_CFLAGS) -o $@ tests/unit/live/wire_test.c kernel/live/wire.c kernel/live/sha256.c -lcmocka

UNIT_TESTS += $(BUILD)/unit/live/wire_test
