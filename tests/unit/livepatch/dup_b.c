// SPDX-License-Identifier: MIT
/* Fixture: the other static helper. */
__attribute__((noinline)) static int helper(int x)
{
	return x * 5 + 2;
}
int use_b(int x)
{
	return helper(x);
}
