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

demo: build
	@echo "== assemble examples/fib.s"
	$(BPFVM) asm examples/fib.s -o $(BUILD)/fib.bin
	@echo "== disassemble"
	$(BPFVM) disasm $(BUILD)/fib.bin
	@echo "== run with n = 50 in the first byte of memory"
	$(BPFVM) exec $(BUILD)/fib.bin --mem-hex "32 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"

bench: build
	@cmake --build $(BUILD) --target bpfvm-bench bpfvm-bench-maps \
		bpfvm-bench-ringbuf -j $(JOBS)
	$(BUILD)/bench/bpfvm-bench
	$(BUILD)/bench/maps/bpfvm-bench-maps
	$(BUILD)/bench/ringbuf/bpfvm-bench-ringbuf

fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) build-fuzz
