#!/bin/sh
# Make sure the Debian packages the build needs are present: install them
# with apt-get when root, otherwise name them and stop.
#   cmake, gcc, make        the build
#   ninja-build             faster builds (optional: falls back to make)
#   clang, llvm             compile BPF C (bench/, examples/) and libFuzzer
#   libclang-rt-14-dev      libFuzzer and sanitizer runtimes for clang
#   pkg-config, libelf-dev  the loader reads ELF objects with libelf
#   libbpf-dev              tests compare the loader's view of objects
#                           with libbpf's
#   libpcap-dev             bpfvm run reads and writes pcap / pcapng files
#   clang-19                optional: compiles the -mcpu=v4 test objects
#                           (clang 14 stops at v3)
#   libcapstone-dev         optional: bpfvm jit-dump disassembles the JIT's
#                           x86-64 code with it (raw bytes without it);
#                           installed when root, only named otherwise
set -eu

missing=""
need() { # command, package
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need cmake cmake
need cc gcc
need make make
need ninja ninja-build
need clang clang
need llvm-objcopy llvm
need pkg-config pkg-config
[ -e /usr/include/libelf.h ] || missing="$missing libelf-dev"
[ -e /usr/include/pcap/pcap.h ] || missing="$missing libpcap-dev"
[ -e /usr/include/bpf/libbpf.h ] || missing="$missing libbpf-dev"
fuzzer=$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null | head -n 1 || true)
[ -n "$fuzzer" ] || missing="$missing libclang-rt-14-dev"

optional=""
[ -e /usr/include/capstone/capstone.h ] || optional="libcapstone-dev"
command -v clang-19 >/dev/null 2>&1 || optional="$optional clang-19"

root=no
[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && root=yes
if [ -z "$missing" ] && { [ -z "$optional" ] || [ $root = no ]; }; then
	[ -n "$optional" ] && echo "deps: optional, not installed:" \
		"$optional (sudo apt-get install $optional)" >&2
	exit 0
fi
missing="$missing $optional"
if [ $root = yes ]; then
	echo "deps: installing$missing"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
	exit 0
fi
echo "deps: missing Debian packages:$missing" >&2
echo "deps: install them with: sudo apt-get install$missing" >&2
exit 1
