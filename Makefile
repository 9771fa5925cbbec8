# Front door. `make run` and `make test` are the whole set-up on a fresh machine.
#   make build   build/pkbench (Release)
#   make run     the main job on the bundled corpus (corpus/smoke): ./pkbench.db and
#                the report in reports/out/
#   make corpus  regenerate corpus/smoke (1M gas), corpus/worst-case-45M and corpus/worst-case (60M),
#                blocks over 512 KiB left out and named in omitted.txt (scripts/make-corpus.sh)
#   make test    every test (CI=true adds -Werror and the ASan/UBSan build)
#   make bench   micro-benchmarks (figures, never pass/fail)
#   make fuzz    libFuzzer targets for FUZZ_SECONDS each (clang)
MAKEFLAGS += --no-print-directory
JOBS ?= $(shell nproc)
BUILD ?= build
FUZZ_SECONDS ?= 60
CMAKE_FLAGS ?=
ifeq ($(CI),true)
CMAKE_FLAGS += -DPKB_WERROR=ON
endif

.PHONY: all deps build run corpus test test-asan bench fuzz fuzz-smoke clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@./$(BUILD)/pkbench run --db pkbench.db corpus/smoke
	@./$(BUILD)/pkbench report --db pkbench.db --out reports/out

corpus: build
	@bash scripts/make-corpus.sh --max-file-kb 512 ./$(BUILD)/pkbench

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
ifeq ($(CI),true)
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory fuzz-smoke
endif

# The unit tests under ASan/UBSan, then the executor on part of the conformance
# set (when ../shared is there) and one block proven end to end. The command-
# line end-to-end suites run in the plain build only: under the sanitizers they
# take several times longer and cover no code the unit tests do not.
test-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPKB_SANITIZE=ON -DPKB_CUDA=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && PKB_TEST_STRIDE=20 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -LE e2e
	@if [ -d ../shared/conformance/state ]; then \
	  S=../shared/conformance/state; \
	  ASAN_OPTIONS=detect_leaks=1 ./build-asan/pkbench conformance $$S/stExample $$S/eest-fusaka-devnet-5 \
	    $$S/VMTests/vmArithmeticTest $$S/VMTests/vmBitwiseLogicOperation $$S/VMTests/vmIOandFlowOperations \
	    $$S/VMTests/vmLogTest $$S/VMTests/vmTests >build-asan/conformance.log 2>&1; rc=$$?; \
	  echo "asan conformance: $$(tail -1 build-asan/conformance.log)"; exit $$rc; \
	else echo "asan conformance: skipped (../shared/conformance not found)"; fi
	@ASAN_OPTIONS=detect_leaks=1 ./build-asan/pkbench prove --shard-log 12 corpus/smoke/keccak_1M.blk >/dev/null && echo "asan prove: keccak_1M proven and verified"

bench: build
	@./$(BUILD)/pkbench bench all

fuzz: deps
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

fuzz-smoke: deps
	@bash scripts/fuzz.sh 60

clean:
	rm -rf build build-asan build-fuzz
