#!/bin/sh
# The conformance plugin speaks the bpf_conformance protocol: memory as hex
# in argv, program as hex on stdin, r0 in hex on stdout.
plugin=$1
fail=0 pass=0

expect() { # name, expected stdout, command output
	if [ "$3" = "$2" ]; then pass=$((pass + 1));
	else fail=$((fail + 1)); echo "FAIL $1: got '$3', want '$2'"; fi
}

# r0 = 42; exit
out=$(echo "b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00" | "$plugin")
expect mov42 2a "$out"
# r0 = *(u8 *)(r1 + 1); exit — reads the memory argument
out=$(echo "71 10 01 00 00 00 00 00 95 00 00 00 00 00 00 00" | "$plugin" "11 22 33")
expect ldxb 22 "$out"
# r1 = 0; call 5 (unwinds on 0); r0 = 7; exit -> stops with r0 = 0
out=$(echo "b7 01 00 00 00 00 00 00 85 00 00 00 05 00 00 00 b7 00 00 00 07 00 00 00 95 00 00 00 00 00 00 00" | "$plugin")
expect unwind 0 "$out"
# Bad input: not hex, and a truncated instruction; both must fail cleanly.
if echo "zz" | "$plugin" 2>/dev/null; then fail=$((fail + 1)); echo "FAIL nothex"; else pass=$((pass + 1)); fi
if echo "b7 00 00" | "$plugin" 2>/dev/null; then fail=$((fail + 1)); echo "FAIL short"; else pass=$((pass + 1)); fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
