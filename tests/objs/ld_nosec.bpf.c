/* Loader open tests: an object without SEC(): its global functions in
 * .text are the programs; a static one stays a subprogram. */
static __attribute__((noinline)) int twice(int x)
{
	return x * 2;
}

int first(int *p)
{
	return twice(*p);
}

int second(int *p)
{
	return twice(p[1]) + 1;
}
