# tests/unit/loader: host unit test of kernel/loader/elf.c (cmocka, ASan+UBSan).
# Real binaries are built here several ways; their expected parse comes from
# readelf (readelf2c.py), never from our own parser.

LOADER_UT     := $(BUILD)/unit/loader
LOADER_UT_SAN := $(HOSTCFLAGS) $(SAN_CFLAGS) -I$(LOADER_UT)

LOADER_UT_BINS := \
	$(LOADER_UT)/hello-musl-static \
	$(LOADER_UT)/hello-glibc-static \
	$(LOADER_UT)/hello-static-pie \
	$(LOADER_UT)/hello-dyn-pie \
	$(LOADER_UT)/hello-nopie \
	$(LOADER_UT)/hello-execstack \
	$(LOADER_UT)/patch.so
# Debian's static non-PIE busybox, when the host has it.
LOADER_UT_REAL := $(wildcard /bin/busybox)

$(LOADER_UT)/hello-musl-static: tests/unit/loader/hello.c
	@mkdir -p $(dir $@)
	$(Q)musl-gcc -static -O2 -o $@ $<
$(LOADER_UT)/hello-glibc-static: tests/unit/loader/hello.c
	@mkdir -p $(dir $@)
	$(Q)gcc -static -O2 -o $@ $<
$(LOADER_UT)/hello-static-pie: tests/unit/loader/hello.c
	@mkdir -p $(dir $@)
	$(Q)gcc -static-pie -O2 -o $@ $<
$(LOADER_UT)/hello-dyn-pie: tests/unit/loader/hello.c
	@mkdir -p $(dir $@)
	$(Q)gcc -pie -fPIE -O2 -o $@ $<
$(LOADER_UT)/hello-nopie: tests/unit/loader/hello.c
	@mkdir -p $(dir $@)
	$(Q)gcc -no-pie -fno-pie -O2 -o $@ $<
$(LOADER_UT)/hello-execstack: tests/unit/loader/hello.c
	@mkdir -p $(dir $@)
	$(Q)gcc -O2 -z execstack -o $@ $< 2>/dev/null
$(LOADER_UT)/patch.so: tests/unit/loader/patch.c
	@mkdir -p $(dir $@)
	$(Q)gcc -shared -fPIC -O2 -o $@ $<

$(LOADER_UT)/expect.h: tests/unit/loader/readelf2c.py $(LOADER_UT_BINS) $(LOADER_UT_REAL)
	@mkdir -p $(dir $@)
	$(Q)python3 tests/unit/loader/readelf2c.py $(abspath $(LOADER_UT_BINS)) $(LOADER_UT_REAL) > $@.tmp
	$(Q)mv $@.tmp $@

$(LOADER_UT)/elf.o: kernel/loader/elf.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(LOADER_UT_SAN) -c $< -o $@

$(LOADER_UT)/elf_test.o: tests/unit/loader/elf_test.c $(LOADER_UT)/expect.h
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(LOADER_UT_SAN) -c $< -o $@

$(LOADER_UT)/elf_test: $(LOADER_UT)/elf_test.o $(LOADER_UT)/elf.o
	$(Q)$(HOSTCC) $(SAN_CFLAGS) -o $@ $^ -lcmocka
	@echo "  HOSTLD  $@"

UNIT_TESTS += $(LOADER_UT)/elf_test
