#!/bin/sh
# bpfvm disasm on an ELF object: every program with its source lines;
# bytecode and text inputs list as before (no source lines).
# usage: test_disasm_obj.sh BPFVM_BINARY OBJ_DIR
set -u
bpfvm=$1
objs=$2
out=$(mktemp)
dir=$(mktemp -d)
trap 'rm -rf "$out" "$dir"' EXIT
fail() { echo "FAIL: $*"; cat "$out"; exit 1; }
has() { grep -qF -- "$1" "$out" || fail "no '$1' in the listing"; }

"$bpfvm" disasm "$objs/zoo_tp.o" >"$out" 2>&1 || fail "disasm zoo_tp.o"
has "handle_execve: section tracepoint/syscalls/sys_enter_execve"
has "handle_exit: section tp/syscalls/sys_exit_execve"
has "handle_write: section tracepoint/syscalls/sys_enter_write"
has "; bpf_printk(\"hello execve from pid %d, nr %ld\", pid, ctx->id); @ zoo_tp.bpf.c:"
has "call "

# --raw adds the bytes; programs in several sections, cross-section calls
"$bpfvm" disasm --raw "$objs/zoo_xsec.o" >"$out" 2>&1 ||
	fail "disasm --raw zoo_xsec.o"
has "xsec_main: section tracepoint/zoo/main"
has "; return xsec_helper(ctx) + xsec_local(ctx[1]); @ zoo_xsec.bpf.c:"
grep -qE '^ +[0-9]+: 95 00 00 00 00 00 00 00' "$out" || fail "no raw exit"

# the -mcpu=v4 object disassembles (sign-extending loads, bswap, sdiv)
if [ -e "$objs/zoo_cpu_v4.o" ]; then
	"$bpfvm" disasm "$objs/zoo_cpu_v4.o" >"$out" 2>&1 ||
		fail "disasm zoo_cpu_v4.o"
	has "s/="
	has "bswap"
	has "(s8 *)"
	has "gotol"
fi

# raw bytecode: the listing as before, with no source lines
printf '\267\000\000\000\052\000\000\000\225\000\000\000\000\000\000\000' \
	>"$dir/p.bin"
"$bpfvm" disasm "$dir/p.bin" >"$out" 2>&1 || fail "disasm p.bin"
has "   0: r0 = 42"
has "   1: exit"
! grep -q '^;' "$out" || fail "source lines in a bytecode listing"
echo "ok"
