# A thin front for CMake + CTest. See README.md.
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc)
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
FUZZ_SECONDS ?= 60
BPFVM      := $(BUILD)/bpfvm

.PHONY: all deps build check check-asan check-tsan demo bench fuzz clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Unit, conformance, kernel-differential and bench smoke tests, then the
# same tests built with AddressSanitizer + UndefinedBehaviorSanitizer, then
# the map stress test under ThreadSanitizer.
check: build
	ctest --test-dir $(BUILD) --output-on-failure --timeout 300 -j $(JOBS)
	@$(MAKE) --no-print-directory check-asan
	@$(MAKE) --no-print-directory check-tsan

check-asan: deps
	@cmake -S . -B $(ASAN_BUILD) $(GENERATOR) -DBPFVM_SANITIZE=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	ctest --test-dir $(ASAN_BUILD) --output-on-failure --timeout 300 -j $(JOBS)

# Threads running programs and user space on the same maps, under TSan.
check-tsan: deps
	@cmake -S . -B $(TSAN_BUILD) $(GENERATOR) -DBPFVM_TSAN=ON \
		-DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(TSAN_BUILD) --target test_map_stress_tsan -j $(JOBS)
	ctest --test-dir $(TSAN_BUILD) -R stress/map_tsan --output-on-failure \
		--timeout 600

# The main job: kernel eBPF programs (examples/*.bpf.c, built by clang)
# run over a capture (build/examples/demo.pcap, made by gen_demo_pcap):
# verdicts, packets written per verdict, speed, and the programs' maps.
DEMO_PCAP := $(BUILD)/examples/demo.pcap
demo: build
	@echo "== XDP firewall (examples/xdp_firewall.bpf.c) over $(DEMO_PCAP)"
	$(BPFVM) run $(BUILD)/examples/xdp_firewall.o --pcap $(DEMO_PCAP) \
		--out $(BUILD)/demo-out
	@echo "== the same firewall embedded in a host program that fills its"
	@echo "   blocklist and reads its ring buffer (examples/xdp_firewall_host.c)"
	$(BUILD)/examples/xdp_firewall_host $(BUILD)/examples/xdp_firewall.o \
		$(DEMO_PCAP) 10.0.3.0/24 2001:db8::100/120
	@echo "== XDP load balancer (examples/xdp_lb.bpf.c): tail calls, rewrites"
	$(BPFVM) run $(BUILD)/examples/xdp_lb.o:xdp_lb --pcap $(DEMO_PCAP) \
		--out $(BUILD)/demo-out/lb

bench: build
	@cmake --build $(BUILD) --target bpfvm-bench bpfvm-bench-maps \
		bpfvm-bench-ringbuf bpfvm-bench-pkt -j $(JOBS)
	$(BUILD)/bench/bpfvm-bench
	$(BUILD)/bench/maps/bpfvm-bench-maps
	$(BUILD)/bench/ringbuf/bpfvm-bench-ringbuf
	$(BUILD)/bench/pkt/bpfvm-bench-pkt

fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) build-fuzz
