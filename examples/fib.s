# Fibonacci with a bpf-to-bpf call: n is the first byte of the memory
# (r1 points at it); the result is returned in r0 and also stored as a
# u64 at offset 8 of the memory.
	r6 = r1
	r1 = *(u8 *)(r6 + 0)
	call fib
	*(u64 *)(r6 + 8) = r0
	exit
fib:
	r0 = 0
	r2 = 1
loop:
	if r1 == 0x0 goto done
	r3 = r0
	r3 += r2
	r0 = r2
	r2 = r3
	r1 += -1
	goto loop
done:
	exit
