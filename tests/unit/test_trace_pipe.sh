#!/bin/sh
# bpfvm trace-pipe streams what a program in another process prints with
# bpf_trace_printk (BPFVM_TRACE_PIPE names the pipe both sides use): both
# lines arrive, complete, in order, in the kernel's trace_pipe format.
# usage: test_trace_pipe.sh BPFVM_BINARY
set -u
bpfvm=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# "hi 7" then "bye": trace_printk(fmt, size, arg) from the stack.
cat >"$dir/p.s" <<'PROG'
	r1 = 0x00642520
	*(u32 *)(r10 - 8) = r1
	r1 = 0x6968
	*(u16 *)(r10 - 10) = r1
	r1 = r10
	r1 += -10
	r2 = 6
	r3 = 7
	call 6
	r1 = 0x00657962
	*(u32 *)(r10 - 16) = r1
	r1 = r10
	r1 += -16
	r2 = 4
	call 6
	r0 = 0
	exit
PROG

"$bpfvm" trace-pipe "$dir/pipe" --lines 2 --timeout 10000 >"$dir/out" 2>&1 &
reader=$!
# The reader creates the FIFO; wait for it before the writer starts.
i=0
while [ ! -p "$dir/pipe" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -p "$dir/pipe" ] || fail "trace-pipe did not create the FIFO"
sleep 0.3 # the writer skips lines while no reader holds the FIFO open
BPFVM_TRACE_PIPE="$dir/pipe" "$bpfvm" exec "$dir/p.s" >"$dir/exec" 2>&1 ||
	fail "exec: $(cat "$dir/exec")"
wait $reader || fail "trace-pipe failed: $(cat "$dir/out")"
[ "$(wc -l <"$dir/out")" -eq 2 ] || fail "want 2 lines, got: $(cat "$dir/out")"
sed -n 1p "$dir/out" | grep -Eq '^ +[^ ]+-[0-9]+ +\[[0-9]+\] [^ ]+ +[0-9]+\.[0-9]{6}: bpf_trace_printk: hi 7$' ||
	fail "line 1: $(sed -n 1p "$dir/out")"
sed -n 2p "$dir/out" | grep -Eq ': bpf_trace_printk: bye$' ||
	fail "line 2: $(sed -n 2p "$dir/out")"
"$bpfvm" trace-pipe --bogus 2>/dev/null && fail "an unknown option is accepted"
echo "ok: trace-pipe"
