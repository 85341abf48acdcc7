// SPDX-License-Identifier: MIT
/* The initial process stack as the System V x86_64 ABI and Linux lay it out:
 * argc, argv[], NULL, envp[], NULL, auxv pairs, AT_NULL, then the strings and
 * the 16 AT_RANDOM bytes above.  %rsp is 16-byte aligned at argc. */
#include <string.h>
#include <kern/heap.h>
#include <kern/random.h>
#include <uapi/errno.h>
#include "loader/load.h"
#include "mm/vm.h"

#define AT_NULL	    0
#define AT_PLATFORM 15
#define AT_RANDOM   25
#define AT_EXECFN   31
#define ARG_MAX	    (2UL << 20)

long stack_build(struct mm *mm, uint64_t stack_top, struct stack_info *si)
{
	size_t strings = 0;
	for (int i = 0; i < si->argc; i++)
		strings += strlen(si->argv[i]) + 1;
	for (int i = 0; i < si->envc; i++)
		strings += strlen(si->envp[i]) + 1;
	strings += strlen(si->execfn) + 1 + sizeof("x86_64") + 16;
	if (strings > ARG_MAX)
		return -E2BIG;

	/* strings area, from the top down */
	uint64_t sp = stack_top - 8; /* a zero word at the very top */
	char *area = kmalloc(strings);
	if (!area)
		return -ENOMEM;
	uint64_t base = ALIGN_DOWN(sp - strings, 16);
	size_t off = 0;
	uint64_t *argv_u = kmalloc((si->argc + si->envc + 2) * sizeof(uint64_t));
	if (!argv_u) {
		kfree(area);
		return -ENOMEM;
	}
	uint64_t *envp_u = argv_u + si->argc + 1;
#define PUT_STR(s, out)                                                                  \
	do {                                                                             \
		size_t n_ = strlen(s) + 1;                                               \
		memcpy(area + off, (s), n_);                                             \
		(out) = base + off;                                                      \
		off += n_;                                                               \
	} while (0)
	uint64_t execfn_u, platform_u, random_u;
	for (int i = 0; i < si->argc; i++)
		PUT_STR(si->argv[i], argv_u[i]);
	argv_u[si->argc] = 0;
	for (int i = 0; i < si->envc; i++)
		PUT_STR(si->envp[i], envp_u[i]);
	envp_u[si->envc] = 0;
	PUT_STR(si->execfn, execfn_u);
	PUT_STR("x86_64", platform_u);
	random_u = base + off;
	random_bytes(area + off, 16);
	off += 16;
#undef PUT_STR
	int r = vm_copy_in(mm, base, area, off);
	kfree(area);
	if (r) {
		kfree(argv_u);
		return r;
	}

	si->auxv[si->nauxv * 2] = AT_PLATFORM;
	si->auxv[si->nauxv * 2 + 1] = platform_u;
	si->nauxv++;
	si->auxv[si->nauxv * 2] = AT_RANDOM;
	si->auxv[si->nauxv * 2 + 1] = random_u;
	si->nauxv++;
	si->auxv[si->nauxv * 2] = AT_EXECFN;
	si->auxv[si->nauxv * 2 + 1] = execfn_u;
	si->nauxv++;

	/* words: argc, argv..., 0, envp..., 0, auxv..., AT_NULL, 0 */
	size_t nwords = 1 + si->argc + 1 + si->envc + 1 + si->nauxv * 2 + 2;
	uint64_t *w = kmalloc(nwords * 8);
	if (!w) {
		kfree(argv_u);
		return -ENOMEM;
	}
	size_t k = 0;
	w[k++] = si->argc;
	for (int i = 0; i <= si->argc; i++)
		w[k++] = argv_u[i];
	for (int i = 0; i <= si->envc; i++)
		w[k++] = envp_u[i];
	for (unsigned i = 0; i < si->nauxv * 2; i++)
		w[k++] = si->auxv[i];
	w[k++] = AT_NULL;
	w[k++] = 0;
	uint64_t rsp = ALIGN_DOWN(base - nwords * 8, 16);
	r = vm_copy_in(mm, rsp, w, nwords * 8);
	kfree(w);
	kfree(argv_u);
	return r ? r : (long)rsp;
}
