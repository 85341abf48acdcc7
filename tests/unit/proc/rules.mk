# SPDX-License-Identifier: MIT
# Host unit tests of the portable parts of kernel/proc/: the credential rules.
$(BUILD)/unit/proc/cred_test: tests/unit/proc/cred_test.c kernel/proc/cred.c include/kern/cred.h
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOSTCFLAGS) $(SAN_CFLAGS) -o $@ tests/unit/proc/cred_test.c kernel/proc/cred.c -lcmocka

UNIT_TESTS += $(BUILD)/unit/proc/cred_test
