// SPDX-License-Identifier: MIT
/* Tests the accelerator choice in tools/unielf/run.c with a stand-in QEMU (a
 * shell script picked through UNIELF_QEMU) that behaves differently under
 * "-accel kvm": a hanging or broken KVM falls back to TCG, an answer from KVM
 * is kept, a forced KVM never falls back, and nothing hangs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "relay.h"
#include "run.h"
#include "testutil.h"

static const char fake_qemu[] =
    "#!/bin/sh\n"
    "case \"$*\" in *'-accel kvm'*) mode=$FAKE_KVM ;; *) mode=tcg ;; esac\n"
    "sync() { printf 'noise\\nUNIELF-SYNC\\n'; }\n"
    "case $mode in\n"
    "hang) sync; printf '\\001\\004\\000held'; exec sleep 30 ;;\n"
    "die) echo 'qemu: could not access KVM' >&2; exit 1 ;;\n"
    /* ERROR "bad", EXIT 126 before READY: the kernel's answer */
    "reject) sync; printf '\\005\\003\\000bad\\004\\001\\000\\176' ;;\n"
    /* READY, EXIT 10 */
    "ok) sync; printf '\\007\\000\\000\\004\\001\\000\\012' ;;\n"
    /* READY, EXIT 9 */
    "tcg) sync; printf '\\007\\000\\000\\004\\001\\000\\011' ;;\n"
    "esac\n";

static char *dir;
static int null_fd;

static int group_setup(void **state)
{
	char *path;

	dir = tu_mkdtemp();
	if (asprintf(&path, "%s/qemu", dir) < 0)
		return -1;
	tu_write_file(path, fake_qemu, sizeof(fake_qemu) - 1, 0755);
	setenv("UNIELF_QEMU", path, 1);
	/* long enough for a loaded CI machine to start a shell, short for a test */
	setenv("UNIELF_KVM_BOOT_TIMEOUT_MS", "1500", 1);
	free(path);
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return relay_signals_install();
}

static int group_teardown(void **state)
{
	tu_rm_rf(dir);
	free(dir);
	close(null_fd);
	return 0;
}

static int launch(enum ue_accel accel, const char *kvm_mode, const char *kvm_why)
{
	char *argv[] = {"prog", NULL};
	struct run_opts o = {
	    .mem_mb = 128, .accel = accel, .prog_argv = argv, .prog_argc = 1};
	int saved = dup(0), status;

	setenv("FAKE_KVM", kvm_mode, 1);
	alarm(20); /* a hang fails the test instead of stalling `make unit` */
	dup2(null_fd, 0);
	status = run_launch(&o, "/k/kernel.elf", null_fd, -1, kvm_why);
	dup2(saved, 0);
	close(saved);
	alarm(0);
	assert_int_equal(qemu_running_pid, 0);
	return status;
}

static void test_auto_kvm_ok(void **state)
{
	assert_int_equal(launch(UE_ACCEL_AUTO, "ok", NULL), 10);
}

static void test_auto_kvm_hangs_falls_back(void **state)
{
	int64_t t0 = ue_now_ms();

	assert_int_equal(launch(UE_ACCEL_AUTO, "hang", NULL), 9);
	assert_true(ue_now_ms() - t0 < 10000);
}

static void test_auto_kvm_broken_falls_back(void **state)
{
	assert_int_equal(launch(UE_ACCEL_AUTO, "die", NULL), 9);
}

static void test_auto_kvm_answer_is_kept(void **state)
{
	assert_int_equal(launch(UE_ACCEL_AUTO, "reject", NULL), 126);
}

static void test_auto_without_kvm(void **state)
{
	assert_int_equal(launch(UE_ACCEL_AUTO, "hang", "/dev/kvm: absent"), 9);
}

static void test_forced_kvm(void **state)
{
	assert_int_equal(launch(UE_ACCEL_KVM, "ok", NULL), 10);
	assert_int_equal(launch(UE_ACCEL_KVM, "hang", NULL), 125);
	assert_int_equal(launch(UE_ACCEL_KVM, "die", NULL), 125);
	assert_int_equal(launch(UE_ACCEL_KVM, "ok", "/dev/kvm: absent"), 125);
}

static void test_forced_tcg(void **state)
{
	assert_int_equal(launch(UE_ACCEL_TCG, "hang", NULL), 9);
}

static void test_qemu_missing(void **state)
{
	char *old = strdup(getenv("UNIELF_QEMU"));

	setenv("UNIELF_QEMU", "/nonexistent/qemu-system-x86_64", 1);
	assert_int_equal(launch(UE_ACCEL_TCG, "ok", NULL), 125);
	setenv("UNIELF_QEMU", old, 1);
	free(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_auto_kvm_ok),
	    cmocka_unit_test(test_auto_kvm_hangs_falls_back),
	    cmocka_unit_test(test_auto_kvm_broken_falls_back),
	    cmocka_unit_test(test_auto_kvm_answer_is_kept),
	    cmocka_unit_test(test_auto_without_kvm),
	    cmocka_unit_test(test_forced_kvm),
	    cmocka_unit_test(test_forced_tcg),
	    cmocka_unit_test(test_qemu_missing),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
