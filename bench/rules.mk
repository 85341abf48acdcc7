# SPDX-License-Identifier: MIT
# `make bench`: UniELF side by side with a Linux guest under the same QEMU (see
# bench/README.md).  Never part of `make test`.
#
#   make bench                  the table under TCG, 10 runs per measure
#   make bench ACCEL=kvm        the same table under KVM (fails clearly without it)
#   make bench BENCH_RUNS=3     fewer runs (quick look; the table says how many)
#   make bench BENCH_ONLY=net   only some measure groups (bench/run.py --only; here the
#                               nginx and redis rows); the table goes to
#                               $(BUILD)/bench/only-GROUPS.md, latest.md is kept
#
# Everything it builds or downloads lives under $(BUILD)/bench/; the table is also
# written to bench/results/latest.md.

BENCH_DIR     := $(BUILD)/bench
BENCH_ONLY    ?=
comma         := ,
BENCH_MUSLCC  ?= musl-gcc
BENCH_CFLAGS  := -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -Werror
BENCH_RUNS    ?= 10
BENCH_MEM     ?= 256
ACCEL         ?= tcg
BENCH_PROGS   := $(BENCH_DIR)/hello $(BENCH_DIR)/ubench $(BENCH_DIR)/procbench \
		 $(BENCH_DIR)/tiny $(BENCH_DIR)/idle-v1 $(BENCH_DIR)/idle-v2 $(BENCH_DIR)/init \
		 $(BENCH_DIR)/lptarget $(BENCH_DIR)/lpfix.so
BENCH_NULLK   := $(BENCH_DIR)/nullkernel.elf

# The guest programs: static musl, the same binaries in both guests.
$(BENCH_DIR)/hello: bench/programs/hello.c bench/rules.mk
	@mkdir -p $(dir $@)
	$(Q)$(BENCH_MUSLCC) $(BENCH_CFLAGS) -static -o $@ $<

$(BENCH_DIR)/ubench: bench/programs/ubench.c bench/rules.mk
	@mkdir -p $(dir $@)
	$(Q)$(BENCH_MUSLCC) $(BENCH_CFLAGS) -static -o $@ $<

$(BENCH_DIR)/procbench: bench/programs/procbench.c bench/rules.mk
	@mkdir -p $(dir $@)
	$(Q)$(BENCH_MUSLCC) $(BENCH_CFLAGS) -static -pthread -o $@ $<

# What procbench's vfork+execve and posix_spawn start (/bin/tiny in both guests).
$(BENCH_DIR)/tiny: bench/programs/tiny.c bench/rules.mk
	@mkdir -p $(dir $@)
	$(Q)$(BENCH_MUSLCC) $(BENCH_CFLAGS) -static -o $@ $<

# The main program of the unielf spawn / upgrade measures, in two versions.
$(BENCH_DIR)/idle-v%: bench/programs/idle.c bench/rules.mk
	@mkdir -p $(dir $@)
	$(Q)$(BENCH_MUSLCC) $(BENCH_CFLAGS) -DIDLE_VERSION=$* -static -o $@ $<

# The live-patch measure: a program calling compute in a loop, and its patch.
$(BENCH_DIR)/lptarget: bench/programs/lptarget.c bench/rules.mk
	@mkdir -p $(dir $@)
	$(Q)$(BENCH_MUSLCC) $(BENCH_CFLAGS) -static -o $@ $<

$(BENCH_DIR)/lpfix.so: bench/programs/lpfix.c bench/rules.mk
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -shared -fPIC -Iinclude -o $@ $<

# /init of the Linux baseline guest.
$(BENCH_DIR)/init: bench/init/init.c bench/rules.mk
	@mkdir -p $(dir $@)
	$(Q)$(BENCH_MUSLCC) $(BENCH_CFLAGS) -static -o $@ $<

$(BENCH_NULLK): bench/nullkernel/nullkernel.S bench/nullkernel/nullkernel.ld bench/rules.mk
	@mkdir -p $(dir $@)
	$(Q)$(CC) -c -o $(BENCH_DIR)/nullkernel.o $<
	$(Q)ld -nostdlib -static -z noexecstack -T bench/nullkernel/nullkernel.ld \
		-o $@ $(BENCH_DIR)/nullkernel.o

bench-programs: $(BENCH_PROGS) $(BENCH_NULLK)

# UniELF itself may not build yet while it is being written: the bench still runs
# and its column says why it has no figures.
bench-table: $(BENCH_PROGS) $(BENCH_NULLK)
	$(Q)$(MAKE) --no-print-directory $(BUILD)/kernel.elf $(BUILD)/unielf \
		> $(BENCH_DIR)/unielf-build.log 2>&1 || \
		echo "bench: UniELF does not build (see $(BENCH_DIR)/unielf-build.log)"
	$(Q)python3 bench/run.py --build $(BUILD) --runs $(BENCH_RUNS) \
		--accel $(ACCEL) --mem $(BENCH_MEM) \
		$(if $(BENCH_ONLY),--only $(BENCH_ONLY) --out $(BENCH_DIR)/only-$(subst $(comma),-,$(BENCH_ONLY)).md,--out bench/results/latest.md)

.PHONY: bench-programs bench-table
BENCH_TARGETS += bench-table
