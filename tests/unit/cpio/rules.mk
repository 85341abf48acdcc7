# tests/unit/cpio: host unit test of kernel/fs/cpio.c (cmocka, ASan+UBSan)
# against archives written by GNU cpio, checked against the tree on disk and
# `cpio -it`'s listing.

CPIO_UT     := $(BUILD)/unit/cpio
CPIO_UT_SAN := $(HOSTCFLAGS) $(SAN_CFLAGS)

# One stamp for the tree and the archives made from it (order sorted, so the
# listing and the archives agree).
$(CPIO_UT)/archives.stamp: tests/unit/cpio/mktree.sh tests/unit/cpio/rules.mk
	@mkdir -p $(CPIO_UT)
	$(Q)sh tests/unit/cpio/mktree.sh $(CPIO_UT)/tree
	$(Q)cd $(CPIO_UT)/tree && find . | LC_ALL=C sort | cpio -o -H newc --quiet > ../tree.newc
	$(Q)cd $(CPIO_UT)/tree && find . | LC_ALL=C sort | cpio -o -H crc --quiet > ../tree.crc
	$(Q)cpio -it --quiet < $(CPIO_UT)/tree.newc > $(CPIO_UT)/tree.list
	$(Q)cat $(CPIO_UT)/tree.newc $(CPIO_UT)/tree.crc > $(CPIO_UT)/concat.cpio
	$(Q)touch $@

$(CPIO_UT)/cpio.o: kernel/fs/cpio.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(CPIO_UT_SAN) -c $< -o $@

$(CPIO_UT)/cpio_test.o: tests/unit/cpio/cpio_test.c $(CPIO_UT)/archives.stamp
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(CPIO_UT_SAN) -DCPIO_UT_DIR='"$(abspath $(CPIO_UT))"' -c $< -o $@

$(CPIO_UT)/cpio_test: $(CPIO_UT)/cpio_test.o $(CPIO_UT)/cpio.o
	$(Q)$(HOSTCC) $(SAN_CFLAGS) -o $@ $^ -lcmocka
	@echo "  HOSTLD  $@"

UNIT_TESTS += $(CPIO_UT)/cpio_test
