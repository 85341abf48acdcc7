# SPDX-License-Identifier: MIT
# The live-patch example (README.md): `make livepatch-example` builds the buggy
# service and its fix into $(BUILD)/examples/livepatch/.  Include this fragment
# from the top-level Makefile, or run it alone: make -f examples/livepatch/rules.mk
BUILD ?= build
Q ?= @
LP_EX := $(BUILD)/examples/livepatch

$(LP_EX)/service: examples/livepatch/service.c
	@mkdir -p $(dir $@)
	$(Q)gcc -O2 -g -o $@ $<
$(LP_EX)/fix.so: examples/livepatch/fix.c include/unielf/livepatch.h
	@mkdir -p $(dir $@)
	$(Q)gcc -shared -fPIC -O2 -Iinclude -o $@ $<

livepatch-example: $(LP_EX)/service $(LP_EX)/fix.so
	@echo "  built $(LP_EX)/service and $(LP_EX)/fix.so (see examples/livepatch/README.md)"

.PHONY: livepatch-example
