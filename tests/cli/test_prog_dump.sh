#!/bin/sh
# bpfvm prog dump OBJ[:PROG]: every program of a loaded object, as the
# engines run it, with function names and source lines from line_info.
# usage: test_prog_dump.sh BPFVM_BINARY OBJ_DIR
set -u
bpfvm=$1
objs=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail() { echo "FAIL: $*"; cat "$out"; exit 1; }
has() { grep -qF -- "$1" "$out" || fail "no '$1' in the dump"; }
hasnt() { ! grep -qF -- "$1" "$out" || fail "'$1' in the dump"; }

# all programs of an object: headers, functions, source lines, insns
"$bpfvm" prog dump "$objs/zoo_xdp.o" >"$out" 2>&1 ||
	fail "prog dump zoo_xdp.o"
for p in xdp_count xdp_tail_a xdp_tail_b xdp_parse; do
	has "$p: xdp (section xdp)"
	grep -qE "^int $p\(struct xdp_md \*( ?ctx)?\):\$" "$out" ||
		fail "no function line for $p"
done
has "; bpf_tail_call(ctx, &xdp_jmp, 0); @ zoo_xdp.bpf.c:"
has "; if ((void *)(eth + 1) > end) @ zoo_xdp.bpf.c:"
has "   0: "
has "exit"
# xlated map references name the map
grep -qE '^ +[0-9]+: r2 = map\[id:[0-9]+\] ll  # xdp_jmp$' "$out" ||
	fail "no map reference to xdp_jmp"
# a source line sits right before the instruction it describes
awk '/^; __u32 key = 0;/ { getline; if ($0 !~ /^ +[0-9]+: /) exit 1; ok = 1 }
     END { exit !ok }' "$out" || fail "no instruction after a source line"

# one program, its subprograms appended (loop_cb is bpf_loop's callback)
"$bpfvm" prog dump "$objs/zoo_multi.o:multi_loop" >"$out" 2>&1 ||
	fail "prog dump zoo_multi.o:multi_loop"
has "multi_loop: tracepoint (section tracepoint/zoo/loop)"
grep -qE '^long loop_cb\(__u32( i)?, void \*( ?data)?\):$' "$out" ||
	fail "no function line for loop_cb"
has "; lc->acc += i * lc->step; @ zoo_multi.bpf.c:"
hasnt "multi_a"
[ "$(grep -c '^multi_loop: ' "$out")" = 1 ] || fail "multi_loop twice"

# globals: string literals and custom sections load
"$bpfvm" prog dump "$objs/zoo_globals.o:glob_sum" >"$out" 2>&1 ||
	fail "prog dump zoo_globals.o"
grep -qE '^int str_sum\(' "$out" || fail "no function line for str_sum"
grep -qE 'r[0-9] = map\[id:[0-9]+\]\[0\]\+0 ll  # \.rodata\.str1\.1$' "$out" ||
	fail "no reference to the string literal's map"
grep -qE 'r[0-9] = map\[id:[0-9]+\]\[0\]\+8 ll  # zoo_glob\.bss$' "$out" ||
	fail "no reference to g_bss_arr[1] in .bss"
has "; s += str_sum(\"zoo\", ctx[1]); @ zoo_globals.bpf.c:"

# kconfig externs need values: refused without, loaded with --kconfig
if "$bpfvm" prog dump "$objs/zoo_kconfig.o" >"$out" 2>&1; then
	fail "zoo_kconfig.o loaded without kconfig values"
fi
has "CONFIG_ZOO_"
cfg=$(mktemp)
printf 'CONFIG_ZOO_TRI=m\nCONFIG_ZOO_BOOL=y\nCONFIG_ZOO_HZ=100\nCONFIG_ZOO_NAME="x"\n' >"$cfg"
"$bpfvm" prog dump "$objs/zoo_kconfig.o" --kconfig "$cfg" >"$out" 2>&1 ||
	{ rm -f "$cfg"; fail "prog dump zoo_kconfig.o --kconfig"; }
rm -f "$cfg"
has "kc_read: tracepoint"

# errors: no such program, not an object, usage
if "$bpfvm" prog dump "$objs/zoo_xdp.o:nope" >"$out" 2>&1; then
	fail "a missing program is not an error"
fi
has "no program 'nope'"
if "$bpfvm" prog dump /dev/null >"$out" 2>&1; then
	fail "/dev/null dumped"
fi
"$bpfvm" prog >"$out" 2>&1
[ $? = 2 ] || fail "prog without dump: not a usage error"
echo "ok"
