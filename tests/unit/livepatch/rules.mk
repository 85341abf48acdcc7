# SPDX-License-Identifier: MIT
# tests/unit/livepatch: host unit tests of kernel/loader/elf_sym.c (manifest,
# symbol lookup, relocations) against shared objects built here with plain gcc.
LP_UT := $(BUILD)/unit/livepatch

$(LP_UT)/fix.so: tests/unit/livepatch/fix.c include/unielf/livepatch.h
	@mkdir -p $(dir $@)
	$(Q)gcc -shared -fPIC -O2 -Iinclude -o $@ $<
$(LP_UT)/dup: tests/unit/livepatch/dup_a.c tests/unit/livepatch/dup_b.c
	@mkdir -p $(dir $@)
	$(Q)gcc -O2 -o $@ $^

$(LP_UT)/dup-static: tests/unit/livepatch/dup_a.c tests/unit/livepatch/dup_b.c
	@mkdir -p $(dir $@)
	$(Q)gcc -O2 -static -o $@ $^

$(LP_UT)/elf_sym_test: tests/unit/livepatch/elf_sym_test.c kernel/loader/elf_sym.c kernel/loader/elf.c \
		kernel/loader/elf_sym.h include/unielf/livepatch.h $(LP_UT)/fix.so $(LP_UT)/dup \
		$(LP_UT)/dup-static
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOSTCFLAGS) $(SAN_CFLAGS) -DLP_UT_DIR='"$(abspath $(LP_UT))"' -o $@ \
		tests/unit/livepatch/elf_sym_test.c kernel/loader/elf_sym.c kernel/loader/elf.c -lcmocka

UNIT_TESTS += $(LP_UT)/elf_sym_test
