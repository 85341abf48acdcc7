# fuzz/: libFuzzer targets for the portable parsers (kernel/loader/elf.c,
# kernel/fs/cpio.c).  `make fuzz` runs each for FUZZ_SECONDS and fails on the
# first crash, leak, sanitizer report or broken invariant; the crashing input
# is left in build/fuzz/crash-<target>-*.  See docs/fuzzing.md.

FUZZ_SECONDS ?= 60
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := $(filter-out -O2 -MMD -MP,$(HOSTCFLAGS)) -O1 -g \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
# -max_len: bigger than any header table or note we parse needs, small enough
# to keep executions fast (real binaries in the seed corpus are cut to it).
FUZZ_ELF_MAXLEN  ?= 65536
FUZZ_CPIO_MAXLEN ?= 32768
FUZZ_FLAGS = -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1

$(FUZZ_DIR)/elf_fuzz: fuzz/elf_fuzz.c kernel/loader/elf.c kernel/loader/elf.h include/uapi/elf.h
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) fuzz/elf_fuzz.c kernel/loader/elf.c -o $@
	@echo "  FUZZCC  $@"

$(FUZZ_DIR)/cpio_fuzz: fuzz/cpio_fuzz.c kernel/fs/cpio.c kernel/fs/cpio.h
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) fuzz/cpio_fuzz.c kernel/fs/cpio.c -o $@
	@echo "  FUZZCC  $@"

# Seeds: tiny libc-free programs plus the unit test's real binaries and GNU
# cpio archives.  libFuzzer adds what it finds to the same directories.
$(FUZZ_DIR)/tiny-static: fuzz/tiny.c
	@mkdir -p $(dir $@)
	$(Q)gcc -nostdlib -static -no-pie -fno-pie -Os -Wl,--build-id \
		-Wl,-z,max-page-size=4096 -Wl,-z,noseparate-code -o $@ $<
$(FUZZ_DIR)/tiny-static-pie: fuzz/tiny.c
	@mkdir -p $(dir $@)
	$(Q)gcc -nostdlib -static-pie -fPIE -Os -Wl,--build-id \
		-Wl,-z,max-page-size=4096 -o $@ $<

FUZZ_ELF_SEEDS := $(FUZZ_DIR)/tiny-static $(FUZZ_DIR)/tiny-static-pie $(LOADER_UT_BINS)

$(FUZZ_DIR)/corpus-elf.stamp: $(FUZZ_ELF_SEEDS)
	@mkdir -p $(FUZZ_DIR)/corpus-elf
	$(Q)for f in $(FUZZ_ELF_SEEDS); do cp $$f $(FUZZ_DIR)/corpus-elf/seed-$$(basename $$f); done
	$(Q)touch $@

$(FUZZ_DIR)/corpus-cpio.stamp: $(CPIO_UT)/archives.stamp
	@mkdir -p $(FUZZ_DIR)/corpus-cpio
	$(Q)cp $(CPIO_UT)/tree.newc $(FUZZ_DIR)/corpus-cpio/seed-tree.newc
	$(Q)cp $(CPIO_UT)/tree.crc $(FUZZ_DIR)/corpus-cpio/seed-tree.crc
	$(Q)cp $(CPIO_UT)/concat.cpio $(FUZZ_DIR)/corpus-cpio/seed-concat.cpio
	$(Q)cd $(CPIO_UT)/tree && printf './a\n./link\n./sub\n' | cpio -o -H newc --quiet \
		> $(abspath $(FUZZ_DIR))/corpus-cpio/seed-small.newc
	$(Q)touch $@

fuzz-elf: $(FUZZ_DIR)/elf_fuzz $(FUZZ_DIR)/corpus-elf.stamp
	@echo "  FUZZ    elf for $(FUZZ_SECONDS)s"
	$(Q)$(FUZZ_DIR)/elf_fuzz $(FUZZ_FLAGS) -max_len=$(FUZZ_ELF_MAXLEN) \
		-dict=fuzz/elf.dict -artifact_prefix=$(FUZZ_DIR)/crash-elf- \
		$(FUZZ_DIR)/corpus-elf

fuzz-cpio: $(FUZZ_DIR)/cpio_fuzz $(FUZZ_DIR)/corpus-cpio.stamp
	@echo "  FUZZ    cpio for $(FUZZ_SECONDS)s"
	$(Q)$(FUZZ_DIR)/cpio_fuzz $(FUZZ_FLAGS) -max_len=$(FUZZ_CPIO_MAXLEN) \
		-dict=fuzz/cpio.dict -artifact_prefix=$(FUZZ_DIR)/crash-cpio- \
		$(FUZZ_DIR)/corpus-cpio

FUZZ_TARGETS += fuzz-elf fuzz-cpio
.PHONY: fuzz-elf fuzz-cpio
