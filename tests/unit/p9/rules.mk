# SPDX-License-Identifier: MIT
# Host unit tests of the portable 9P2000.L codec (kernel/fs/p9_wire.c).
$(BUILD)/unit/p9/p9_wire_test: tests/unit/p9/p9_wire_test.c kernel/fs/p9_wire.c kernel/fs/p9_wire.h
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOSTCFLAGS) $(SAN_CFLAGS) -o $@ tests/unit/p9/p9_wire_test.c kernel/fs/p9_wire.c -lcmocka

UNIT_TESTS += $(BUILD)/unit/p9/p9_wire_test
