#!/bin/sh
# bpfvm test-run OBJ:PROG as bpftool prog run: the return value, the
# duration, data and ctx out as hex or into files, -j, both engines, and
# clear errors (exit 1 or 2, never a crash).
# usage: test_test_run.sh BPFVM_BINARY OBJ_DIR
set -u
bpfvm=$1
objs=$2
. "$(dirname "$0")/cli_lib.sh"
xdp=$objs/cli_xdp.o
# IPv4 UDP 10.0.0.1:40000 -> 10.0.0.2:PORT, 18 bytes of payload (60 bytes)
udp() {
	printf '02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 2e 00 00 '
	printf '00 00 40 11 66 bd 0a 00 00 01 0a 00 00 02 9c 40 %s 00 1a 00 ' "$1"
	printf '00 41 48 4f 56 5d 64 6b 72 79 80 87 8e 95 9c a3 aa b1 b8'
}
# the same frame with its MAC addresses swapped
swapped() {
	udp "$1" | sed 's/^02 00 00 00 00 02 02 00 00 00 00 01/02 00 00 00 00 01 02 00 00 00 00 02/'
}
hexlines() { tr -s ' \n' '\n\n' | grep .; }

# XDP_TX (port 1003): retval 3, the frame with MACs swapped, both engines
for engine in --jit --interp --checked; do
	"$bpfvm" test-run "$xdp:xdp_actions" --data-hex "$(udp '03 eb')" \
		$engine >"$out" 2>&1 || fail "test-run XDP_TX $engine"
	grep -qE '^Return value: 3, duration: [0-9]+ns$' "$out" ||
		fail "no return value 3 ($engine)"
	has "data_out (60 bytes):"
	sed -n '3,$p' "$out" | hexlines >"$dir/got"
	swapped '03 eb' | hexlines >"$dir/want"
	cmp -s "$dir/want" "$dir/got" || fail "data_out is not the swapped frame"
done

# --data-out FILE writes the bytes; they feed --data FILE again
"$bpfvm" test-run "$xdp:xdp_actions" --data-hex "$(udp '03 ee')" \
	--data-out "$dir/d.bin" >"$out" 2>&1 || fail "test-run --data-out"
grep -qE '^Return value: 2, ' "$out" || fail "adjust_tail: not XDP_PASS"
[ "$(wc -c <"$dir/d.bin")" = 56 ] || fail "adjust_tail(-4): not 56 bytes out"
od -An -v -tx1 "$dir/d.bin" | hexlines >"$dir/got"
udp '03 ee' | hexlines | head -n 56 >"$dir/want"
cmp -s "$dir/want" "$dir/got" || fail "--data-out file differs"
! grep -q "data_out" "$out" || fail "data_out printed though written"
"$bpfvm" test-run "$xdp:xdp_actions" --data "$dir/d.bin" --repeat 100 \
	>"$out" 2>&1 || fail "test-run --data FILE --repeat"
grep -qE '^Return value: 2, duration \(average\): [0-9]+ns$' "$out" ||
	fail "--repeat 100: no average duration"
# as the kernel's: each run starts from the last one's frame; it shrinks
# by 4 until its UDP header is cut (40 bytes), then passes unchanged
has "data_out (40 bytes):"

# ctx in and out: ingress_ifindex 9, bpf_redirect(ingress_ifindex) (3000)
ctx='00000000 3c000000 00000000 09000000 00000000 00000000'
"$bpfvm" test-run "$xdp:xdp_actions" --data-hex "$(udp '0b b8')" \
	--ctx-hex "$ctx" >"$out" 2>&1 || fail "test-run --ctx-hex"
grep -qE '^Return value: 4, ' "$out" || fail "not XDP_REDIRECT"
has "ctx_out (24 bytes):"
has "00 00 00 00 3c 00 00 00 00 00 00 00 09 00 00 00"
"$bpfvm" test-run "$xdp:xdp_actions" --data-hex "$(udp '0b b8')" \
	--ctx-hex "$ctx" --ctx-out "$dir/c.bin" >"$out" 2>&1 ||
	fail "test-run --ctx-out"
[ "$(od -An -v -tx1 "$dir/c.bin" | hexlines | sed -n 13p)" = 09 ] ||
	fail "ctx_out file: no ingress_ifindex 9"

# --map-update: DEVMAP slot 1 = ifindex 7, then bpf_redirect_map (2001)
"$bpfvm" test-run "$xdp:xdp_actions" --data-hex "$(udp '07 d1')" \
	>"$out" 2>&1 || fail "test-run empty devmap"
grep -qE '^Return value: 2, ' "$out" || fail "empty slot: not XDP_PASS"
"$bpfvm" test-run "$xdp:xdp_actions" --data-hex "$(udp '07 d1')" \
	--map-update cli_devmap 01000000 07000000 >"$out" 2>&1 ||
	fail "test-run --map-update"
grep -qE '^Return value: 4, ' "$out" || fail "devmap slot 1: not redirect"

# -j: bpftool's keys
"$bpfvm" -j test-run "$xdp:xdp_actions" --data-hex "$(udp '03 e9')" \
	>"$out" 2>&1 || fail "test-run -j"
grep -qE '^\{"retval":1,"duration":[0-9]+,"data_out":"02 00 00 00 00 02 [0-9a-f ]+"\}$' \
	"$out" || fail "JSON output"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]));
assert d["retval"] == 1 and len(d["data_out"].split()) == 60' "$out" ||
		fail "JSON does not parse"
fi

# tc (UDP: TC_ACT_SHOT), the frame out as it came
skb=$objs/cli_skb.o
"$bpfvm" test-run "$skb:tc_classify" --data-hex "$(udp '00 35')" >"$out" 2>&1 ||
	fail "test-run tc"
grep -qE '^Return value: 2, ' "$out" || fail "tc: not TC_ACT_SHOT"
sed -n '3,$p' "$out" | hexlines >"$dir/got"
udp '00 35' | hexlines >"$dir/want"
cmp -s "$dir/want" "$dir/got" || fail "tc: data_out differs"
# a socket filter as BPF_PROG_TEST_RUN runs it: the packet starts at the
# network header (LD_ABS 12 reads the source address, not the
# ethertype: -1), and data_out's Ethernet header comes back zeroed
"$bpfvm" test-run "$skb:sock_cut" --data-hex "$(udp '00 35')" >"$out" 2>&1 ||
	fail "test-run socket filter"
grep -qE '^Return value: 4294967295, ' "$out" || fail "socket filter: not -1"
sed -n '3,$p' "$out" | hexlines >"$dir/got"
{ for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do echo 00; done
  udp '00 35' | hexlines | sed 1,14d; } >"$dir/want"
cmp -s "$dir/want" "$dir/got" || fail "socket filter: data_out"

# a tracepoint program on a record (no packet): value + 1
"$bpfvm" test-run "$objs/cli_tp.o" --ctx-hex \
	"00 00 00 00 00 00 00 00 29 00 00 00 00 00 00 00" >"$out" 2>&1 ||
	fail "test-run tracepoint"
grep -qE '^Return value: 42, ' "$out" || fail "tracepoint: not 42"

# errors: the kernel's refusals, bad files and arguments
refuse 1 "shorter than an Ethernet header" \
	"$bpfvm" test-run "$xdp:xdp_actions" --data-hex "00 11 22"
refuse 1 "not a hex byte" \
	"$bpfvm" test-run "$xdp:xdp_actions" --data-hex "zz"
refuse 1 "$dir/none.bin" \
	"$bpfvm" test-run "$xdp:xdp_actions" --data "$dir/none.bin"
refuse 1 "has no program 'nope'" \
	"$bpfvm" test-run "$xdp:nope" --data-hex "$(udp '03 e9')"
refuse 1 "xdp_drop_udp (section xdp)" \
	"$bpfvm" test-run "$xdp" --data-hex "$(udp '03 e9')"
refuse 1 "does not fit: raise --data-size-out" \
	"$bpfvm" test-run "$xdp:xdp_actions" --data-hex "$(udp '03 e9')" \
	--data-size-out 10
refuse 2 "no program given" "$bpfvm" test-run --data-hex "00"
refuse 2 "unexpected '--bogus'" "$bpfvm" test-run "$xdp:xdp_actions" --bogus
refuse 2 "--repeat needs a value" "$bpfvm" test-run "$xdp:xdp_actions" --repeat
refuse 2 "not a number" "$bpfvm" test-run "$xdp:xdp_actions" --repeat -1
refuse 2 "file or hex, not both" "$bpfvm" test-run "$xdp:xdp_actions" \
	--data "$dir/d.bin" --data-hex "00"
"$bpfvm" test-run --help >"$out" 2>&1 || fail "test-run --help"
has "as bpftool prog run"
echo "PASS"
