#!/bin/sh
# bpfvm jit-dump and exec --jit on a small program: every BPF instruction
# is listed with x86 lines under it, blinding hides the immediate, and the
# JIT computes what the interpreter does. Exit 77 (SKIP) while the JIT is
# not available.
# usage: test_jit_dump.sh BPFVM_BINARY
set -u
bpfvm=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cat >"$dir/p.s" <<'PROG'
mov r0, 0x12345678
add r0, r2
lddw r3, 0x1122334455667788
jgt r0, 5, +1
exit
xor r0, r3
exit
PROG
mem="01 02 03 04 05 06 07 08"

if ! "$bpfvm" exec "$dir/p.s" --jit --mem-hex "$mem" >"$dir/jit" 2>&1; then
	if grep -q "not available" "$dir/jit"; then
		echo "SKIP: $(cat "$dir/jit")"
		exit 77
	fi
	fail "exec --jit: $(cat "$dir/jit")"
fi
"$bpfvm" exec "$dir/p.s" --interp --mem-hex "$mem" >"$dir/interp" 2>&1 ||
	fail "exec --interp: $(cat "$dir/interp")"
cmp -s "$dir/jit" "$dir/interp" ||
	fail "exec --jit and --interp differ: $(cat "$dir/jit" "$dir/interp")"

for variant in "" "--checked" "--counted" "--checked --counted" "--blind"; do
	# shellcheck disable=SC2086 # variant is zero or more words
	"$bpfvm" jit-dump "$dir/p.s" $variant >"$dir/dump" 2>&1 ||
		fail "jit-dump $variant: $(cat "$dir/dump")"
	for line in "   0: r0 = 305419896" "   1: r0 += r2" \
		"   2: r3 = 0x1122334455667788 ll" "   4: if r0 > 0x5 goto +1" \
		"   5: exit" "   6: r0 ^= r3" "   7: exit"; do
		grep -qxF "$line" "$dir/dump" ||
			fail "jit-dump $variant: no line '$line'"
	done
	# each BPF line is followed by at least one x86 line, except the insn
	# after an "if ... goto +1", which the JIT may translate with the jump
	# (a select's ALU insn, an exit jumped to out of line)
	awk '/^ *[0-9]+: / { if (bpf && !may_lack) exit 1
			     may_lack = after_skip; after_skip = / goto \+1$/
			     bpf = 1; next }
	     /^        \+0x[0-9a-f]+:  / { bpf = 0 }
	     END { exit bpf && !may_lack }' "$dir/dump" ||
		fail "jit-dump $variant: a BPF instruction without x86 code"
	if ! grep -q "raw bytes instead" "$dir/dump"; then
		grep -qE '^        \+0x[0-9a-f]+:  (mov|ret|add|xor|jmp|cmp)' \
			"$dir/dump" || fail "jit-dump $variant: no x86 mnemonics"
	fi
done
# blinded: the program's constants never appear as written
if grep -qi "0x12345678\|78 56 34 12" "$dir/dump"; then
	fail "jit-dump --blind shows the immediate 0x12345678"
fi
"$bpfvm" jit-dump "$dir/p.s" | grep -qi "0x12345678\|78 56 34 12" ||
	fail "jit-dump (not blinded) does not show 0x12345678"
echo "jit-dump: ok (5 variants)"
