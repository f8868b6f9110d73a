#!/bin/sh
# -j / --json / -p on every command: stdout is one valid JSON document (or
# JSON lines for trace-pipe) holding the values the text output shows, and
# errors are {"error": "..."}. Validity and values are checked with
# python3's json module; without python3 only grep checks run (SKIP noted).
# usage: test_json.sh BPFVM_BINARY OBJ_DIR
set -u
bpfvm=$1
objs=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$dir/out
fail() { echo "FAIL: $*"; head -c 2000 "$out"; echo; exit 1; }
if command -v python3 >/dev/null 2>&1; then py=1; else
	py=0; echo "SKIP: JSON validity and values (no python3): grep only"; fi
checks=0

# jq_ok EXPR: $out is one JSON document d (or, with lines=1, a list d of
# one document per line) for which the Python expression EXPR holds. The
# checks are collected and run by one python3 at the end (python3 can
# take seconds to start on a loaded machine).
jq_ok() {
	checks=$((checks + 1))
	cp "$out" "$dir/check.$checks"
	printf '%s\t%s\t%s\n' "$checks" "${lines:-0}" "$1" >>"$dir/checks"
}
run_checks() {
	[ $py -eq 1 ] || return 0
	python3 - "$dir" <<'PY' || { echo "FAIL: json checks"; exit 1; }
import json, sys
d_dir = sys.argv[1]
bad = 0
for rec in open(d_dir + "/checks").read().splitlines():
    n, lines, expr = rec.split("\t", 2)
    text = open("%s/check.%s" % (d_dir, n)).read()
    try:
        d = ([json.loads(l) for l in text.splitlines()] if lines == "1"
             else json.loads(text))
        ok = eval(expr)
        why = "false"
    except Exception as e:
        ok, why = False, "%s: %s" % (type(e).__name__, e)
    if not ok:
        bad += 1
        print("FAIL: check %s (%s): %s\n  output: %.500s" % (n, why, expr, text))
sys.exit(1 if bad else 0)
PY
}
has() { grep -qF -- "$1" "$out" || fail "no '$1' in the output"; }

cat >"$dir/p.s" <<'PROG'
	r0 = *(u8 *)(r1 + 1)
	*(u8 *)(r1 + 0) = 7
	r2 = 0x123456789 ll
	exit
PROG

# asm: the program as hex strings; with -o what was written
"$bpfvm" -j asm "$dir/p.s" >"$out" || fail "asm -j"
has '"insns":5'
jq_ok 'd["insns"] == 5 and d["bytes"] == 40 and d["hex"][0] == "71 10 01 00 00 00 00 00" and len(d["hex"]) == 5'
"$bpfvm" asm "$dir/p.s" -o "$dir/p.bin" --json >"$out" || fail "asm -o -j"
jq_ok 'd == {"file": sys.argv[1] + "/p.bin", "format": "raw", "insns": 5, "bytes": 40}'
[ "$(wc -c <"$dir/p.bin")" -eq 40 ] || fail "asm -o wrote $(wc -c <"$dir/p.bin") bytes"

# disasm: one object per instruction; lddw is one entry
"$bpfvm" -j disasm --raw "$dir/p.bin" >"$out" || fail "disasm -j"
jq_ok '[i["insn"] for i in d] == [0, 1, 2, 4] and d[0]["disasm"] == "r0 = *(u8 *)(r1 + 1)" and d[0]["opcode"] == "0x71" and d[2]["disasm"] == "r2 = 0x123456789 ll" and len(d[2]["bytes"].split()) == 16'
printf 'b7 00 00 00 01 00 00 00 ff 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00' >"$dir/bad.hex"
"$bpfvm" -j disasm "$dir/bad.hex" >"$out" 2>/dev/null && fail "disasm of a bad insn succeeds"
jq_ok 'd[1]["insn"] == 1 and "invalid" in d[1] and "disasm" not in d[1] and d[2]["disasm"] == "exit"'
# an object: its programs, each with its source lines
"$bpfvm" -j disasm "$objs/ll_calls.o" >"$out" 2>/dev/null || fail "disasm -j obj"
jq_ok '[p["name"] for p in d] == ["prog_a", "prog_b", "prog_c"] and all(p["loaded"] for p in d) and any("src" in i and "line_num" in i and "file" in i for i in d[0]["insns"])'

# exec: r0 and the memory
"$bpfvm" -j exec "$dir/p.s" --mem-hex "01 ff 03" >"$out" || fail "exec -j"
has '"r0":255'
jq_ok 'd == {"r0": 255, "r0_hex": "0x00000000000000ff", "memory": "07 ff 03"}'
"$bpfvm" -p exec "$dir/p.s" --jit --mem-hex "01 80" >"$out" || fail "exec -p --jit"
[ "$(wc -l <"$out")" -gt 3 ] || fail "-p is not indented"
jq_ok 'd["r0"] == 128 and d["memory"] == "07 80"'
# errors: {"error": ...} on stdout, the exit status unchanged
printf 'r0 = 1\n' >"$dir/noexit.s"
"$bpfvm" -j exec "$dir/noexit.s" >"$out" 2>&1
[ $? -eq 1 ] || fail "exec of a bad program: exit status"
jq_ok 'list(d) == ["error"] and "falls off its end" in d["error"]'
"$bpfvm" --json nosuchcmd >"$out" 2>&1
[ $? -eq 2 ] || fail "unknown command: exit status"
jq_ok '"unknown command" in d["error"]'

# btf dump: bpftool's raw JSON; C refused as bpftool does
obj=$objs/btf_kinds_v3.o
"$bpfvm" -j btf dump file "$obj" >"$out" || fail "btf dump -j"
jq_ok 'any(t["kind"] == "STRUCT" and t["name"] == "kinds" and t["size"] == 192 and t["vlen"] == 17 and len(t["members"]) == 17 for t in d["types"])'
jq_ok 'any(t["kind"] == "INT" and t["name"] == "int" and t["size"] == 4 and t["nr_bits"] == 32 and t["encoding"] == "SIGNED" for t in d["types"])'
jq_ok 'any(m.get("bitfield_size") == 3 for t in d["types"] for m in t.get("members", []))'
jq_ok 'any(t["kind"] == "DECL_TAG" and t["component_idx"] == -1 for t in d["types"])'
jq_ok '[t["id"] for t in d["types"]] == list(range(1, len(d["types"]) + 1))'
"$bpfvm" btf dump "$obj" format raw >"$dir/raw.txt" || fail "btf dump raw"
[ "$(grep -c '^\[' "$dir/raw.txt")" -eq "$(grep -o '"id":' "$out" | wc -l)" ] ||
	fail "text and JSON list different numbers of types"
"$bpfvm" -j btf dump "$obj" format c >"$out" 2>&1
[ $? -eq 2 ] || fail "btf dump -j format c: exit status"
jq_ok '"not supported" in d["error"]'

# prog dump: bpftool's xlated array for OBJ:PROG; an object's programs
"$bpfvm" -j prog dump "$objs/ll_calls.o:prog_a" >"$out" || fail "prog dump -j"
jq_ok 'isinstance(d, list) and d[0]["insn"] == 0 and "proto" in d[0] and d[-1]["disasm"] == "exit"'
"$bpfvm" -j prog dump "$objs/ll_calls.o" >"$out" || fail "prog dump -j obj"
jq_ok '[(p["name"], p["type"]) for p in d] == [("prog_a", "xdp"), ("prog_b", "xdp"), ("prog_c", "sched_cls")] and all(len(p["insns"]) > 3 for p in d)'
jq_ok 'any("map[id:" in i["disasm"] for p in d for i in p["insns"])'
"$bpfvm" -j prog dump "$objs/ll_calls.o:nope" >"$out" 2>&1
[ $? -eq 1 ] || fail "prog dump of a missing program: exit status"
jq_ok '"no program" in d["error"]'

# jit-dump (SKIP where the JIT is not available)
if "$bpfvm" -j jit-dump "$dir/p.s" >"$out" 2>/dev/null; then
	jq_ok 'd["insn_cnt"] == 5 and [i["insn"] for i in d["insns"]] == [0, 1, 2, 4] and d["insns"][0]["bpf"] == "r0 = *(u8 *)(r1 + 1)"'
	jq_ok 'all(len(i["x86"]) > 0 for i in d["insns"]) and d["variant"] == "plain" and d["insns"][3]["x86"][-1]["asm"] == "ret"'
	jq_ok 'sum(len(x["bytes"].split()) for part in [d["prologue"], d["epilogue"]] + [i["x86"] for i in d["insns"]] for x in part) == d["code_size"]'
	"$bpfvm" -j jit-dump --checked "$dir/p.s" >"$out" || fail "jit-dump --checked"
	jq_ok 'd["variant"] == "checked" and len(d["prologue"]) > 0 and d["prologue"][0]["addr"] == 0'
else
	echo "SKIP: jit-dump -j (no JIT)"
fi

# trace-pipe: one JSON object per line
cat >"$dir/tp.s" <<'PROG'
	r1 = 0x00642520
	*(u32 *)(r10 - 8) = r1
	r1 = 0x6968
	*(u16 *)(r10 - 10) = r1
	r1 = r10
	r1 += -10
	r2 = 6
	r3 = 7
	call 6
	r0 = 0
	exit
PROG
"$bpfvm" -j trace-pipe "$dir/pipe" --lines 1 --timeout 10000 >"$out" 2>&1 &
reader=$!
i=0
while [ ! -p "$dir/pipe" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.3
BPFVM_TRACE_PIPE="$dir/pipe" "$bpfvm" exec "$dir/tp.s" >/dev/null 2>&1 ||
	fail "exec for trace-pipe"
wait $reader || fail "trace-pipe -j failed"
lines=1 jq_ok 'len(d) == 1 and d[0]["msg"] == "hi 7" and d[0]["text"].endswith("bpf_trace_printk: hi 7") and d[0]["pid"] > 0 and "." in d[0]["timestamp"]'

run_checks
echo "ok: json ($checks checks)"
