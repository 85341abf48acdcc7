// SPDX-License-Identifier: MIT
/* Built with gcc -shared: a library whose e_entry is 0, like a live patch. */
int patched_answer(void)
{
	return 43;
}
