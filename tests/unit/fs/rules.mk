# tests/unit/fs: host unit tests of the portable file layer (kernel/fs/ minus
# devfs/procfs/init), cmocka with ASan+UBSan, over a small shim (shim.c).

FS_UT      := $(BUILD)/unit/fs
FS_UT_SAN  := $(HOSTCFLAGS) $(SAN_CFLAGS)
FS_UT_SRCS := kernel/fs/inode.c kernel/fs/namei.c kernel/fs/ramfs.c kernel/fs/file.c \
	kernel/fs/fdtable.c kernel/fs/vfs.c kernel/fs/pipe.c kernel/fs/initrd.c kernel/fs/cpio.c \
	kernel/fs/anon.c kernel/fs/eventfd.c kernel/fs/epoll.c kernel/fs/perm.c
FS_UT_OBJS := $(patsubst kernel/fs/%.c,$(FS_UT)/k/%.o,$(FS_UT_SRCS)) $(FS_UT)/shim.o
FS_UT_BINS := $(FS_UT)/namei_test $(FS_UT)/ramfs_test $(FS_UT)/pipe_test $(FS_UT)/epoll_test \
	$(FS_UT)/perm_test

$(FS_UT)/k/%.o: kernel/fs/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(FS_UT_SAN) -c $< -o $@

$(FS_UT)/%.o: tests/unit/fs/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(FS_UT_SAN) -Itests/unit/fs -c $< -o $@

$(FS_UT)/%_test: $(FS_UT)/%_test.o $(FS_UT_OBJS)
	$(Q)$(HOSTCC) $(SAN_CFLAGS) -o $@ $^ -lcmocka
	@echo "  HOSTLD  $@"

UNIT_TESTS += $(FS_UT_BINS)
