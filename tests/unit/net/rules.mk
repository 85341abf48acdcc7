# SPDX-License-Identifier: MIT
# Host unit tests of the socket layer's portable part: the iovec iterator and
# the control-message helpers (kernel/net/sockmsg.c), over a uaccess shim.
$(BUILD)/unit/net/sockmsg_test: tests/unit/net/sockmsg_test.c kernel/net/sockmsg.c \
		kernel/net/socket.h kernel/net/socket_internal.h include/uapi/socket.h
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOSTCFLAGS) $(SAN_CFLAGS) -o $@ tests/unit/net/sockmsg_test.c \
		kernel/net/sockmsg.c -lcmocka

UNIT_TESTS += $(BUILD)/unit/net/sockmsg_test
