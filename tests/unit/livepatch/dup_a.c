// SPDX-License-Identifier: MIT
/* Fixture: one of two static functions named helper, and a global. */
__attribute__((noinline)) static int helper(int x)
{
	return x * 3 + 1;
}
int use_a(int x)
{
	return helper(x);
}
int main(void)
{
	return 0;
}
