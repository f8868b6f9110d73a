# Sourced by the CLI test scripts: a scratch directory (removed on exit),
# $out for a command's output, and the checks on it.
dir=$(mktemp -d)
out=$dir/stdout
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; cat "$out"; exit 1; }
has() { grep -qF -- "$1" "$out" || fail "no '$1' in the output"; }
hasnt() { ! grep -qF -- "$1" "$out" || fail "'$1' in the output"; }
# a command must fail with this exit status and say why on stderr
refuse() {
	want=$1 msg=$2
	shift 2
	"$@" >"$out" 2>&1
	rc=$?
	[ "$rc" = "$want" ] || fail "exit $rc (want $want): $*"
	has "$msg"
}
