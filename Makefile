# UniELF top-level build.  Non-recursive: each area adds its own rules through a
# rules.mk fragment (tools/unielf/rules.mk, tests/unit/*/rules.mk, tests/apps/rules.mk,
# tests/e2e/rules.mk, fuzz/rules.mk, bench/rules.mk), so areas never edit this file
# to add sources.  Kernel sources are picked up by wildcard.

BUILD    ?= build
CC       ?= gcc
HOSTCC   ?= gcc
V        ?= 0
Q        := $(if $(filter 1,$(V)),,@)

.DEFAULT_GOAL := all

# ---------------------------------------------------------------- kernel
KERNEL_SRCS := $(shell find kernel -path kernel/loader/vdso -prune -o \( -name '*.c' -o -name '*.S' \) -print | sort)
KERNEL_OBJS := $(patsubst %,$(BUILD)/k/%.o,$(KERNEL_SRCS))
GCC_INC     := $(shell $(CC) -print-file-name=include)

KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
	-mcmodel=kernel -mno-sse -mno-mmx -mno-sse2 -mno-avx -mgeneral-regs-only \
	-fno-omit-frame-pointer -fno-strict-aliasing -fno-builtin-printf \
	-nostdinc -isystem $(GCC_INC) -isystem include/klibc -Iinclude -Ikernel \
	-DUNIELF_KERNEL -MMD -MP
KLDFLAGS := -nostdlib -static -no-pie -z max-page-size=4096 -z noexecstack \
	-T kernel/arch/x86_64/kernel.ld

# lwIP, the TCP/IP stack, is Debian's `lwip` source package, fetched into the build
# tree by scripts/fetch-lwip (never committed); our port (options, arch header,
# glue) is kernel/net/.  Only the core, IPv4, IPv6 and Ethernet are built.
LWIP_DIR   := $(BUILD)/third_party/lwip
LWIP_STAMP := $(LWIP_DIR)/.unielf-fetched
LWIP_SRCS  := $(addprefix core/,def.c inet_chksum.c init.c ip.c mem.c memp.c netif.c \
	pbuf.c raw.c stats.c sys.c tcp.c tcp_in.c tcp_out.c timeouts.c udp.c) \
	$(addprefix core/ipv4/,etharp.c icmp.c ip4.c ip4_addr.c ip4_frag.c) \
	$(addprefix core/ipv6/,ethip6.c icmp6.c inet6.c ip6.c ip6_addr.c ip6_frag.c mld6.c nd6.c) \
	netif/ethernet.c
LWIP_OBJS  := $(patsubst %.c,$(BUILD)/lwip/%.o,$(LWIP_SRCS))
KCFLAGS    += -Ikernel/net/lwip -I$(LWIP_DIR)/src/include
# Debian's code keeps lwIP's own warning level; ours is -Werror.
LWIP_CFLAGS = $(filter-out -Werror -Wextra,$(KCFLAGS)) -Wno-address

$(LWIP_STAMP): scripts/fetch-lwip
	$(Q)scripts/fetch-lwip $(BUILD)/third_party

# the dependency files are made with the objects (without this, make's built-in
# `%: %.o` rule offers to "remake" them from a nonexistent core/x.d.c)
$(BUILD)/lwip/%.d: ;

$(BUILD)/lwip/%.o: $(LWIP_STAMP) kernel/net/lwip/lwipopts.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LWIP_CFLAGS) -c $(LWIP_DIR)/src/$*.c -o $@

$(BUILD)/k/%.c.o: %.c | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -D__ASSEMBLY__ -c $< -o $@

# The kernel embeds its own symbol table (for crash reports): link once with the
# weak empty table, extract the symbols, link again.  The table lives in its own
# section placed last, so adding it moves no code.
$(BUILD)/kernel.elf: $(KERNEL_OBJS) $(LWIP_OBJS) kernel/arch/x86_64/kernel.ld scripts/ksyms.py
	$(Q)$(CC) $(KLDFLAGS) -o $(BUILD)/kernel.pass1 $(KERNEL_OBJS) $(LWIP_OBJS)
	$(Q)nm -n $(BUILD)/kernel.pass1 | python3 scripts/ksyms.py > $(BUILD)/ksyms.c
	$(Q)$(CC) $(KCFLAGS) -c $(BUILD)/ksyms.c -o $(BUILD)/ksyms.o
	$(Q)$(CC) $(KLDFLAGS) -o $@ $(KERNEL_OBJS) $(LWIP_OBJS) $(BUILD)/ksyms.o
	@echo "  LD      $@"

# The vDSO is a small shared object of its own, embedded by loader/vdso_blob.S.
VDSO_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -fPIC -fno-stack-protector \
	-fno-asynchronous-unwind-tables -mno-red-zone -nostdlib -shared \
	-Wl,-T,kernel/loader/vdso/vdso.lds -Wl,--hash-style=both -Wl,-soname=linux-vdso.so.1 \
	-Wl,-z,max-page-size=4096 -Wl,--no-undefined
$(BUILD)/vdso.so: kernel/loader/vdso/vdso.c kernel/loader/vdso/vdso.h kernel/loader/vdso/vdso.lds
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(VDSO_CFLAGS) -o $@ kernel/loader/vdso/vdso.c
	$(Q)test $$(stat -c %s $@) -le 8192 || { echo "vdso.so is larger than 2 pages"; exit 1; }
$(BUILD)/k/kernel/loader/vdso_blob.S.o: $(BUILD)/vdso.so
$(BUILD)/k/kernel/loader/vdso_blob.S.o: KCFLAGS += -DVDSO_PATH='"$(BUILD)/vdso.so"'

kernel: $(BUILD)/kernel.elf
.PHONY: kernel

# ---------------------------------------------------------------- host side
HOSTCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-Iinclude -Ikernel -DUNIELF_HOST -MMD -MP
SAN_CFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

ALL_TARGETS  := $(BUILD)/kernel.elf
UNIT_TESTS   :=
TEST_TARGETS :=
FUZZ_TARGETS :=
BENCH_TARGETS :=

-include tools/unielf/rules.mk
-include $(wildcard tests/unit/*/rules.mk)
-include tests/apps/rules.mk
-include tests/e2e/rules.mk
-include fuzz/rules.mk
-include bench/rules.mk
-include examples/livepatch/rules.mk

all: $(ALL_TARGETS)

# ---------------------------------------------------------------- tests
deps:
	$(Q)bash scripts/deps

unit: $(UNIT_TESTS)
	$(Q)set -e; for t in $(UNIT_TESTS); do echo "  UNIT    $$t"; $$t; done

# `make test` is what CI runs: dependencies, build, then every suite.
test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory $(TEST_TARGETS)

fuzz: $(FUZZ_TARGETS)

bench: $(BENCH_TARGETS)

RUN_DEFAULT := /bin/busybox ls /
ARGS ?= $(RUN_DEFAULT)
run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(BUILD)/unielf run $(ARGS)

FORMAT_FILES := $(shell find kernel include tools tests fuzz bench -name '*.[ch]' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
check-format:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD)

.PHONY: all deps unit test fuzz bench run format check-format clean

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
