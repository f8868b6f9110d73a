#!/bin/sh
# bpfvm btf dump: C that compiles and bpftool's raw listing, for a test
# object and /sys/kernel/btf/vmlinux (where present); errors and usage.
# usage: test_btf_cli.sh BPFVM_BINARY OBJ_DIR
set -u
bpfvm=$1
objs=$2
out=$(mktemp)
c=$(mktemp --suffix=.c)
trap 'rm -f "$out" "$c"' EXIT
fail() { echo "FAIL: $*"; head -50 "$out"; exit 1; }
has() { grep -qF -- "$1" "$out" || fail "no '$1' in the output"; }

obj=$objs/btf_kinds_v3.o
"$bpfvm" btf dump "$obj" >"$c" 2>"$out" || fail "btf dump $obj"
cc -fsyntax-only -w "$c" >"$out" 2>&1 || fail "the C dump does not compile"
grep -q '^struct kinds {' "$c" || fail "no struct kinds"

"$bpfvm" btf dump file "$obj" format raw >"$out" 2>&1 || fail "format raw"
has "INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED"
has "STRUCT 'kinds' size=192 vlen=17"
has "	'a' type_id="
has "bitfield_size=3"
has "DECL_TAG 'struct_tag' type_id="
has "FUNC 'btf_kinds' type_id="
has "linkage=global"
has "DATASEC '.maps' size=0 vlen=1"

# raw BTF input (the kernel's), C and raw
if [ -r /sys/kernel/btf/vmlinux ]; then
	"$bpfvm" btf dump /sys/kernel/btf/vmlinux format raw >"$out" 2>&1 ||
		fail "vmlinux raw"
	[ "$(wc -l <"$out")" -gt 100000 ] || fail "vmlinux: too few lines"
	has "STRUCT 'task_struct' size="
	"$bpfvm" btf dump /sys/kernel/btf/vmlinux >"$c" 2>"$out" ||
		fail "vmlinux C"
	cc -fsyntax-only -w "$c" >"$out" 2>&1 || fail "vmlinux C does not compile"
else
	echo "SKIP vmlinux part: /sys/kernel/btf/vmlinux absent"
fi

# errors: exit 1 with the parser's message; usage: exit 2
printf 'not btf at all' >"$c"
"$bpfvm" btf dump "$c" >"$out" 2>&1
[ $? -eq 1 ] || fail "bad file: exit status"
has "BTF: bad magic"
"$bpfvm" btf dump "$obj" format xml >"$out" 2>&1
[ $? -eq 2 ] || fail "bad format: exit status"
"$bpfvm" btf >"$out" 2>&1
[ $? -eq 2 ] || fail "no verb: exit status"
echo "ok"
