// SPDX-License-Identifier: MIT
/* The program that procbench's vfork+execve and posix_spawn measures start: a
 * static binary that exits 0 at once, so those measures are the cost of creating,
 * loading and reaping a process, not of anything it does. */
int main(void)
{
	return 0;
}
