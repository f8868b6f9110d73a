#!/bin/sh
# bpfvm run OBJ[:PROG] --pcap IN: verdicts per packet type, output pcaps
# (bytes and timestamps read back with cli_pcaptool), the summary in text
# and JSON, --per-packet lines, snaplen-cut and pcapng input, maps, and
# clear errors (exit 1 or 2, never a crash) for bad input.
# usage: test_run_pcap.sh BPFVM_BINARY OBJ_DIR CLI_PCAPTOOL
set -u
bpfvm=$1
objs=$2
tool=$3
. "$(dirname "$0")/cli_lib.sh"
# the packets of a capture, one line each: caplen len time bytes
dump() { "$tool" dump "$1" || fail "cannot read $1"; }
# line N of a capture's dump
pkt() { dump "$1" | sed -n "${2}p"; }
xdp=$objs/cli_xdp.o
skb=$objs/cli_skb.o

# --- xdp_drop_udp: UDP dropped (v4 and v6), the rest passed ---
"$tool" write "$dir/a.pcap" udp:53 tcp:80 icmp:64 arp udp6:1000 runt:10 ||
	fail "cannot write a.pcap"
for engine in --jit --interp "--interp --checked" "--jit --checked"; do
	rm -rf "$dir/o"
	# shellcheck disable=SC2086
	"$bpfvm" run "$xdp:xdp_drop_udp" --pcap "$dir/a.pcap" --out "$dir/o" \
		$engine >"$out" 2>&1 || fail "run xdp_drop_udp $engine"
	has "verdicts   aborted 0, drop 2, pass 3, tx 0, redirect 0, error 1"
	has "packets    6"
	has "errors     1"
	has "packet 6: "
	has "shorter than an Ethernet header"
	has "written    $dir/o/: pass.pcap 3"
	# maps after the run: counters of every kind
	grep -qE '^    key 00 00 00 00 \(0\)  sum 05 00 00 00 00 00 00 00 \(5\)$' \
		"$out" || fail "cli_pkts (per CPU) does not sum to 5 ($engine)"
	# .bss: the bytes of the five packets run (60 + 72 + 60 + 60 + 80)
	grep -A1 '^  cli_xdp.bss (array' "$out" | grep -q '(332)$' ||
		fail "cli_bytes in .bss is not 332 ($engine)"
	has "    var cli_bytes = 4c 01 00 00 00 00 00 00 (332)"
	has "    key 35 00 (53)  value 01 00 00 00 00 00 00 00 (1)"
	has "    key e8 03 (1000)  value 01 00 00 00 00 00 00 00 (1)"
	has "    key 01 00 00 00 (1)  value 02 00 00 00 00 00 00 00 (2)"
	has "    key 02 00 00 00 (2)  value 03 00 00 00 00 00 00 00 (3)"
	# pass.pcap: packets 2, 3, 4 as they came, timestamps kept
	dump "$dir/a.pcap" | sed -n 2,4p >"$dir/want"
	dump "$dir/o/pass.pcap" >"$dir/got"
	cmp -s "$dir/want" "$dir/got" || { diff "$dir/want" "$dir/got";
		fail "pass.pcap is not packets 2-4 ($engine)"; }
	[ "$(ls "$dir/o")" = pass.pcap ] || fail "files besides pass.pcap"
done
has "engine     jit (checked)"

# --- xdp_actions: every verdict, redirect ports, changed output ---
"$tool" write "$dir/b.pcap" udp:1000 udp:1001 udp:1002 udp:1003 udp:1004 \
	udp:1005 udp:1006 udp:2000 udp:3000 tcp:1 || fail "cannot write b.pcap"
rm -rf "$dir/o"
"$bpfvm" run "$xdp:xdp_actions" --pcap "$dir/b.pcap" --out "$dir/o" \
	--ifindex 9 --per-packet >"$out" 2>&1 || fail "run xdp_actions"
has "verdicts   aborted 1, drop 1, pass 4, tx 1, redirect 2 (dev5 1, dev9 1), invalid 1"
has "errors     0"
grep -qE '^ +1 aborted +retval 0 +len 60 -> 60$' "$out" || fail "line 1"
grep -qE '^ +5 redirect +retval 4 +len 60 -> 60 port dev5$' "$out" ||
	fail "line 5"
grep -qE '^ +6 invalid +retval 7 +len 60 -> 60$' "$out" || fail "line 6"
grep -qE '^ +7 pass +retval 2 +len 60 -> 56$' "$out" || fail "line 7"
grep -qE '^ +9 redirect +retval 4 +len 60 -> 60 port dev9$' "$out" ||
	fail "line 9 (--ifindex 9)"
[ "$(grep -cE '^ +[0-9]+ [a-z]+ +retval' "$out")" = 10 ] ||
	fail "not 10 per-packet lines"
has "written    $dir/o/: pass.pcap 4, tx.pcap 1, redirect-dev5.pcap 1, redirect-dev9.pcap 1"
# tx: MAC addresses swapped by the program
pkt "$dir/b.pcap" 4 | awk '{ for (i = 1; i <= 3; i++) printf "%s ", $i;
	for (i = 10; i <= 15; i++) printf "%s ", $i;
	for (i = 4; i <= 9; i++) printf "%s ", $i;
	for (i = 16; i <= NF; i++) printf "%s%s", $i, i < NF ? " " : "\n" }' \
	>"$dir/want"
dump "$dir/o/tx.pcap" >"$dir/got"
cmp -s "$dir/want" "$dir/got" || { diff "$dir/want" "$dir/got";
	fail "tx.pcap is not packet 4 with its MACs swapped"; }
# adjust_tail(-4): the first 56 bytes of packet 7
pkt "$dir/b.pcap" 7 | awk '{ printf "56 56 %s", $3;
	for (i = 4; i < 60; i++) printf " %s", $i; printf "\n" }' >"$dir/want"
dump "$dir/o/pass.pcap" | sed -n 2p >"$dir/got"
cmp -s "$dir/want" "$dir/got" || { diff "$dir/want" "$dir/got";
	fail "pass.pcap's packet 2 is not packet 7 less 4 bytes"; }
pkt "$dir/b.pcap" 5 >"$dir/want"
dump "$dir/o/redirect-dev5.pcap" >"$dir/got"
cmp -s "$dir/want" "$dir/got" || fail "redirect-dev5.pcap is not packet 5"
[ "$(dump "$dir/o/redirect-dev9.pcap" | wc -l)" = 1 ] ||
	fail "redirect-dev9.pcap"
# the latency histogram and speed lines
grep -qE '^speed      [0-9]+ packets/s, [0-9.]+ ns per packet \(mean; median [0-9]+ ns; ' "$out" ||
	fail "no speed line"
grep -qE '^  <= +[0-9]+ \|#+ *\| [0-9]+$' "$out" || fail "no histogram bar"

# --- --map-update: a DEVMAP port and a counter set before the run ---
rm -rf "$dir/o"
"$bpfvm" run "$xdp:xdp_actions" --pcap "$dir/b.pcap" --out "$dir/o" \
	--map-update cli_devmap "00 00 00 00" "0c 00 00 00" >"$out" 2>&1 ||
	fail "run --map-update cli_devmap"
has "verdicts   aborted 1, drop 1, pass 3, tx 1, redirect 3 (dev5 1, dev12 1, dev1 1), invalid 1"
has "    key 00 00 00 00 (0)  value 0c 00 00 00 (12)"
pkt "$dir/b.pcap" 8 >"$dir/want"
dump "$dir/o/redirect-dev12.pcap" >"$dir/got"
cmp -s "$dir/want" "$dir/got" || fail "redirect-dev12.pcap is not packet 8"
"$bpfvm" run "$xdp:xdp_drop_udp" --pcap "$dir/a.pcap" \
	--map-update cli_dports "35 00" "0a 00 00 00 00 00 00 00" >"$out" 2>&1 ||
	fail "run --map-update cli_dports"
has "    key 35 00 (53)  value 0b 00 00 00 00 00 00 00 (11)"
refuse 1 "key 3 and value 4 bytes given, the map's are 4 and 4" \
	"$bpfvm" run "$xdp:xdp_actions" --pcap "$dir/b.pcap" \
	--map-update cli_devmap "00 00 00" "0c 00 00 00"
refuse 1 "the object has no map 'nomap'" \
	"$bpfvm" run "$xdp:xdp_actions" --pcap "$dir/b.pcap" \
	--map-update nomap 00 00
refuse 1 "not a hex byte" "$bpfvm" run "$xdp:xdp_actions" \
	--pcap "$dir/b.pcap" --map-update cli_devmap 00000000 xyz
refuse 2 "--map-update needs NAME KEY VALUE" \
	"$bpfvm" run "$xdp:xdp_actions" --pcap "$dir/b.pcap" \
	--map-update cli_devmap 00

# --- socket filter: UDP dropped, TCP cut to 54 bytes, the rest whole ---
"$tool" write "$dir/s.pcap" udp:53 tcp:80 icmp:1 icmp:3 icmp:5 icmp:64 \
	icmp:99 arp udp6:7 runt:10 || fail "cannot write s.pcap"
for ifindex in "" "--ifindex 4"; do
	rm -rf "$dir/o"
	# shellcheck disable=SC2086
	"$bpfvm" run "$skb:sock_cut" --pcap "$dir/s.pcap" --out "$dir/o" \
		--per-packet $ifindex >"$out" 2>&1 || fail "run sock_cut"
	has "verdicts   pass 8, drop 1, error 1"
	grep -qE '^ +2 pass +retval 54 +len 72 -> 54$' "$out" || fail "TCP cut"
	grep -qE '^ +3 pass +retval 4294967295 +len 60 -> 60$' "$out" ||
		fail "ICMP whole"
	# the cut packet keeps its wire length, as a snaplen would
	pkt "$dir/s.pcap" 2 | awk '{ printf "54 72 %s", $3;
		for (i = 4; i < 58; i++) printf " %s", $i; printf "\n" }' \
		>"$dir/want"
	dump "$dir/s.pcap" | sed -n 3,9p >>"$dir/want"
	dump "$dir/o/pass.pcap" >"$dir/got"
	cmp -s "$dir/want" "$dir/got" || { diff "$dir/want" "$dir/got";
		fail "socket filter: pass.pcap"; }
done

# --- tc: SHOT, REDIRECT to dev3, OK/UNSPEC pass, others by name ---
for ifindex in "" "--ifindex 4"; do
	rm -rf "$dir/o"
	# shellcheck disable=SC2086
	"$bpfvm" run "$skb:tc_classify" --pcap "$dir/s.pcap" --out "$dir/o" \
		--per-packet $ifindex >"$out" 2>&1 || fail "run tc_classify"
	has "verdicts   pass 4, drop 2, redirect 1 (dev3 1), stolen 1, invalid 1, error 1"
	grep -qE '^ +8 pass +retval -1 +len 60 -> 60$' "$out" ||
		fail "TC_ACT_UNSPEC"
	grep -qE '^ +7 invalid +retval 42 ' "$out" || fail "42: invalid"
	dump "$dir/s.pcap" | sed -n '3p;6p;8p;9p' >"$dir/want"
	dump "$dir/o/pass.pcap" >"$dir/got"
	cmp -s "$dir/want" "$dir/got" || fail "tc: pass.pcap"
	pkt "$dir/s.pcap" 2 >"$dir/want"
	dump "$dir/o/redirect-dev3.pcap" >"$dir/got"
	cmp -s "$dir/want" "$dir/got" || fail "tc: redirect-dev3.pcap"
	[ "$(ls "$dir/o" | wc -l)" = 2 ] || fail "tc: files besides 2"
done

# --- JSON: one summary document; per-packet JSON lines before it ---
"$bpfvm" -j run "$xdp:xdp_actions" --pcap "$dir/b.pcap" --ifindex 9 \
	--per-packet >"$out" 2>&1 || fail "run -j --per-packet"
[ "$(wc -l <"$out")" = 11 ] || fail "not 10 JSON lines + a summary"
has '{"packet":5,"verdict":"redirect","retval":4,"len_in":60,"len_out":60,"port":"dev5"}'
has '{"packet":7,"verdict":"pass","retval":2,"len_in":60,"len_out":56,"port":null}'
tail -n 1 "$out" >"$dir/json"
grep -q '^{"program":"xdp_actions","type":"xdp",' "$dir/json" ||
	fail "summary does not start with program and type"
for k in '"engine":"jit"' '"packets":10,' '"verdicts":{"aborted":1,"drop":1,"pass":4,"tx":1,"redirect":2,"invalid":1}' \
	'"ports":{"dev5":1,"dev9":1}' '"errors":0,' '"ns_per_packet":' \
	'"packets_per_second":' '"histogram":[{"le_ns":' '"maps":[{"name":"cli_dports"' \
	'{"name":"cli_xdp.bss","type":"array",' \
	'"variables":[{"name":"cli_bytes","value":"00 00 00 00 00 00 00 00"}]'; do
	grep -qF -- "$k" "$dir/json" || fail "no $k in the JSON summary"
done
if command -v python3 >/dev/null 2>&1; then
	python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
docs = [json.loads(l) for l in lines]
s = docs[-1]
assert s["packets"] == 10 and s["verdicts"]["pass"] == 4, s
assert sum(h["count"] for h in s["histogram"]) == 10, s["histogram"]
assert s["ns_per_packet"] > 0 and s["packets_per_second"] > 0
assert [d["packet"] for d in docs[:-1]] == list(range(1, 11))
pk = [m for m in s["maps"] if m["name"] == "cli_pkts"][0]
assert pk["percpu"] and pk["entries"][0]["value"] == "00 " * 7 + "00"
' "$out" || fail "JSON does not parse or hold the counts"
else
	echo "SKIP: python3 not installed: JSON checked with grep only"
fi
"$bpfvm" -j run "$xdp:xdp_drop_udp" --pcap "$dir/a.pcap" --per-packet \
	>"$out" 2>&1 || fail "run -j --per-packet with an error"
grep -qE '^\{"packet":6,"verdict":"error","error":"[^"]*shorter than an Ethernet header[^"]*"\}$' \
	"$out" || fail "no JSON error line for packet 6"
grep -qE '"errors":1,"error_messages":\["packet 6: [^"]+"\]' "$out" ||
	fail "no error_messages in the JSON summary"
"$bpfvm" -p run "$xdp:xdp_drop_udp" --pcap "$dir/a.pcap" >"$out" 2>&1 ||
	fail "run -p"
has '  "ns_per_packet": '

# --- snaplen-cut packets run on what was captured, and say so ---
"$tool" write "$dir/c.pcap" --snap 50 udp:53 tcp:80 icmp:1 ||
	fail "cannot write c.pcap"
"$bpfvm" run "$xdp:xdp_drop_udp" --pcap "$dir/c.pcap" --per-packet \
	>"$out" 2>&1 || fail "run snaplen capture"
has "packets    3 (3 cut short by the capture's snaplen: run on the bytes captured)"
grep -qE '^ +1 drop +retval 1 +len 50 -> 50$' "$out" || fail "cut UDP"
grep -qE '^ +2 pass +retval 2 +len 50 -> 50$' "$out" || fail "cut TCP"
"$bpfvm" -j run "$xdp:xdp_drop_udp" --pcap "$dir/c.pcap" >"$out" 2>&1 ||
	fail "run -j snaplen capture"
has '"packets":3,"truncated":3,'

# --- pcapng input: the same as pcap ---
"$tool" write "$dir/a.pcapng" --pcapng udp:53 tcp:80 icmp:64 arp udp6:1000 \
	runt:10 || fail "cannot write a.pcapng"
rm -rf "$dir/o"
"$bpfvm" run "$xdp:xdp_drop_udp" --pcap "$dir/a.pcapng" --out "$dir/o" \
	>"$out" 2>&1 || fail "run pcapng"
has "verdicts   aborted 0, drop 2, pass 3, tx 0, redirect 0, error 1"
dump "$dir/a.pcap" | sed -n 2,4p >"$dir/want"
dump "$dir/o/pass.pcap" >"$dir/got"
cmp -s "$dir/want" "$dir/got" || fail "pcapng: pass.pcap differs"

# --- an empty capture: zero counts, no division by zero ---
"$tool" write "$dir/empty.pcap" || fail "cannot write empty.pcap"
"$bpfvm" run "$xdp:xdp_drop_udp" --pcap "$dir/empty.pcap" >"$out" 2>&1 ||
	fail "run empty capture"
has "packets    0"
has "speed      0 packets/s, 0.0 ns per packet"

# --- large maps are cut: --map-entries ---
"$bpfvm" run "$xdp:xdp_drop_udp" --pcap "$dir/a.pcap" --map-entries 3 \
	>"$out" 2>&1 || fail "run --map-entries 3"
has "    ... 5 more"
hasnt "key 03 00 00 00 (3)  value"

# --- bad input: a clear message, exit 1 (2 for usage), never a crash ---
refuse 1 "cannot read as pcap or pcapng" \
	"$bpfvm" run "$xdp:xdp_drop_udp" --pcap "$dir/missing.pcap"
refuse 1 "cannot read as pcap or pcapng" \
	"$bpfvm" run "$xdp:xdp_drop_udp" --pcap "$xdp"
"$tool" write "$dir/raw.pcap" --linktype raw udp:53 || fail "raw.pcap"
refuse 1 "link type RAW (12) is not supported" \
	"$bpfvm" run "$xdp:xdp_drop_udp" --pcap "$dir/raw.pcap"
refuse 1 "has no program 'nope'" \
	"$bpfvm" run "$xdp:nope" --pcap "$dir/a.pcap"
refuse 1 "has 2 programs, name one" \
	"$bpfvm" run "$xdp" --pcap "$dir/a.pcap"
refuse 1 "missing.o" "$bpfvm" run "$dir/missing.o" --pcap "$dir/a.pcap"
refuse 1 "not an ELF object" "$bpfvm" run "$dir/a.pcap" --pcap "$dir/a.pcap"
refuse 1 "bpfvm run feeds packets to XDP, socket filter and tc programs" \
	"$bpfvm" run "$objs/cli_tp.o" --pcap "$dir/a.pcap"
refuse 1 "is not a directory" \
	"$bpfvm" run "$xdp:xdp_drop_udp" --pcap "$dir/a.pcap" --out "$dir/a.pcap"
refuse 2 "no capture given" "$bpfvm" run "$xdp:xdp_drop_udp"
refuse 2 "no object given" "$bpfvm" run --pcap "$dir/a.pcap"
refuse 2 "--pcap needs a value" "$bpfvm" run "$xdp:xdp_drop_udp" --pcap
refuse 2 "unexpected '--bogus'" \
	"$bpfvm" run "$xdp:xdp_drop_udp" --pcap "$dir/a.pcap" --bogus
refuse 2 "--ifindex: 'x' is not a number" \
	"$bpfvm" run "$xdp:xdp_drop_udp" --pcap "$dir/a.pcap" --ifindex x
"$bpfvm" run --help >"$out" 2>&1 || fail "run --help"
has "Timing covers the test_run calls only"
echo "PASS"
