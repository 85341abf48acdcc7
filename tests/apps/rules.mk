# SPDX-License-Identifier: MIT
# Self-checking Linux programs (tests/apps/<behaviour>.c), each built three ways into
# $(BUILD)/apps/<variant>/<behaviour>:
#   musl        musl-gcc -static           (static, non-PIE, musl)
#   glibc       gcc -static                (static, non-PIE, glibc)
#   static-pie  gcc -static-pie -fPIE      (static PIE, glibc)
#   glibc-dyn   gcc                        (dynamic PIE, glibc's ld.so)
#   musl-dyn    musl-gcc                   (dynamic, musl's ld.so)
# They are not part of `make all` (keeps it fast): `make apps` builds them,
# `make apps-native` builds them and runs every app case natively (Linux is the
# oracle), `make e2e` (tests/e2e/rules.mk) runs them inside UniELF as well.

APP_SRCS     := $(sort $(wildcard tests/apps/*.c))
APP_NAMES    := $(patsubst tests/apps/%.c,%,$(APP_SRCS))
APP_VARIANTS := musl glibc static-pie glibc-dyn musl-dyn
APP_BINS     := $(foreach v,$(APP_VARIANTS),$(addprefix $(BUILD)/apps/$(v)/,$(APP_NAMES)))

APP_MUSLCC   ?= musl-gcc
APP_GLIBCCC  ?= gcc
APP_CFLAGS   := -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -Werror
APP_DEPS     := tests/apps/apptest.h tests/apps/rules.mk

$(BUILD)/apps/musl/%: tests/apps/%.c $(APP_DEPS)
	@mkdir -p $(dir $@)
	$(Q)$(APP_MUSLCC) $(APP_CFLAGS) -static -o $@ $<

$(BUILD)/apps/glibc/%: tests/apps/%.c $(APP_DEPS)
	@mkdir -p $(dir $@)
	$(Q)$(APP_GLIBCCC) $(APP_CFLAGS) -static -o $@ $<

$(BUILD)/apps/static-pie/%: tests/apps/%.c $(APP_DEPS)
	@mkdir -p $(dir $@)
	$(Q)$(APP_GLIBCCC) $(APP_CFLAGS) -fPIE -static-pie -o $@ $<

# Dynamically linked: glibc's ld.so, and musl's (/lib/ld-musl-x86_64.so.1).
$(BUILD)/apps/glibc-dyn/%: tests/apps/%.c $(APP_DEPS)
	@mkdir -p $(dir $@)
	$(Q)$(APP_GLIBCCC) $(APP_CFLAGS) -o $@ $< -pthread

$(BUILD)/apps/musl-dyn/%: tests/apps/%.c $(APP_DEPS)
	@mkdir -p $(dir $@)
	$(Q)$(APP_MUSLCC) $(APP_CFLAGS) -o $@ $<

apps: $(APP_BINS)

apps-native: apps
	$(Q)python3 tests/e2e/run.py --native apps

.PHONY: apps apps-native
