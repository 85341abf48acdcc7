// SPDX-License-Identifier: MIT
/* A program with no libc: the smallest real ELF seeds for the ELF fuzzer. */
void _start(void)
{
	__asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
	for (;;)
		;
}
