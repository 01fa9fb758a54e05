# Thin wrapper over CMake. `make demo` and `make test` are the only commands a new user needs.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# ctest runs one test more than there are cores: many tests spend part of their time
# waiting on a server they started (the registry, the ECR endpoint) or on a regpol they
# kill, and a third test fills that time (the whole suite, 546 s -> 391 s on two cores).
TEST_JOBS ?= $(shell echo $$(( $(JOBS) + 1 )))
# Unity builds (12 sources a translation unit, so each header is parsed once a batch, not
# once a file): a fresh build takes about two thirds of the time. `make build UNITY=OFF`
# for day-to-day work, where a change recompiles one file instead of its batch.
UNITY ?= ON
UNITY_OPT = -DCMAKE_UNITY_BUILD=$(UNITY) -DCMAKE_UNITY_BUILD_BATCH_SIZE=12
# Line tables only (-g1): a crash's backtrace and a profile keep function, file and line,
# the code is the same as at -g, and the build is about a fifth faster (full type and
# variable information is most of the compile time of our template-heavy sources). For a
# debugger session that reads variables: `make build DEBUG_INFO=-g`.
DEBUG_INFO ?= -g1
BUILD_OPT = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 $(DEBUG_INFO) -DNDEBUG"

.PHONY: all build bootstrap bootstrap-test demo test test-sanitize test-thread lint-cpp bench clean

all: build

# What the build and the demo need; the test targets add what the suite runs against.
bootstrap:
	@scripts/bootstrap build

bootstrap-test:
	@scripts/bootstrap test

build: bootstrap
	@cmake -S . -B $(BUILD) $(BUILD_OPT) $(UNITY_OPT) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo

test: bootstrap-test build
	@cd $(BUILD) && ctest --output-on-failure -j $(TEST_JOBS)

# The whole suite again on a build with AddressSanitizer and UndefinedBehaviorSanitizer (its
# own folder). A report fails the test that triggered it, and is also written to a file
# (log_path), which fails this target even where a test accepted any non-zero exit. Warnings are errors in the main
# build only: GCC warns falsely (maybe-uninitialized) in sanitizer-instrumented std headers.
SANITIZE_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Both sanitizer builds compile at -O1 with line tables only (-g1), as the sanitizers'
# documentation advises: reports keep file:line, and GCC compiles the instrumented code
# about twice as fast as at -O2 -g (one heavy file: 67 s -> 30 s on this machine).
# Unity builds too (UNITY): the ASan build of regpol and the unit tests, 13 min -> 9 min on two cores.
SANITIZER_OPT = -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" $(UNITY_OPT)
# Not repeated under the sanitizers: the two large case sets through `regpol import ecr`
# (about 75 s of the pass). The import code still runs instrumented on the conformance
# cases (conformance.*_via_import) and the plain build runs every case both ways.
SANITIZE_SKIP = ^cases\.(ecr_lifecycle|iam_access)_via_import$$
test-sanitize: bootstrap-test
	@cmake -S . -B $(BUILD)-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREGPOL_WERROR=OFF -DREGPOL_SANITIZED_TESTS=ON $(SANITIZER_OPT) \
	  -DCMAKE_CXX_FLAGS="$(SANITIZE_FLAGS)" -DCMAKE_EXE_LINKER_FLAGS="$(SANITIZE_FLAGS)" >/dev/null
	@cmake --build $(BUILD)-sanitize -j $(JOBS) --target regpol regpol_unit_tests
	@rm -f $(BUILD)-sanitize/sanitizer-report.*
	@cd $(BUILD)-sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:log_path=$(CURDIR)/$(BUILD)-sanitize/sanitizer-report \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(CURDIR)/$(BUILD)-sanitize/sanitizer-report \
	  ctest --output-on-failure -j $(TEST_JOBS) -E '$(SANITIZE_SKIP)'; rc=$$?; \
	  if ls sanitizer-report.* >/dev/null 2>&1; then cat sanitizer-report.*; echo "test-sanitize: sanitizer reports above"; exit 1; fi; \
	  exit $$rc

# ThreadSanitizer over the tests whose regpol runs many threads against real servers (OCI
# pull and apply with --jobs, ECR pull and apply) or evaluates on all cores: only the regpol
# binary is built (its own folder). A race fails the command that met it (exit 66) and
# leaves a report, which fails this target even where a test did not look at the exit code.
TSAN_FLAGS = -fsanitize=thread -fno-omit-frame-pointer
TSAN_TESTS = ^(oci\.registry|ecr\.endpoint|apply\.journal_and_rails|snapshot\.formats_and_order|diff\.policies)$$
test-thread: bootstrap-test
	@cmake -S . -B $(BUILD)-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREGPOL_WERROR=OFF $(SANITIZER_OPT) \
	  -DCMAKE_CXX_FLAGS="$(TSAN_FLAGS)" -DCMAKE_EXE_LINKER_FLAGS="$(TSAN_FLAGS)" >/dev/null
	@cmake --build $(BUILD)-tsan -j $(JOBS) --target regpol
	@rm -f $(BUILD)-tsan/tsan-report.*
	@cd $(BUILD)-tsan && TSAN_OPTIONS=halt_on_error=1:exitcode=66:log_path=$(CURDIR)/$(BUILD)-tsan/tsan-report \
	  ctest --output-on-failure -j $(TEST_JOBS) -R '$(TSAN_TESTS)'
	@if ls $(BUILD)-tsan/tsan-report.* >/dev/null 2>&1; then cat $(BUILD)-tsan/tsan-report.*; echo "test-thread: ThreadSanitizer reports above"; exit 1; fi
	@echo "test-thread: no ThreadSanitizer report"

# clang-tidy over our own sources with the checked-in .clang-tidy (generated code excluded),
# each file on its own (so a missing include is found even where a unity build hid it): its
# own folder, configured without unity batches, where only the ANTLR parser is generated.
# Every room of engine/ is checked except parse/: clang cannot compile the ANTLR 4.9 runtime headers it includes
# (a defaulted constructor over a const member in Vocabulary.h), so clang-tidy stops there.
# CI checks the product's code (engine/, stdlib/, cli/); `make lint-cpp LINT_TESTS=1` adds
# the unit tests and benchmarks (about a sixth more time, which CI's hour does not have).
# Only what changed is checked again: the sources changed since the commit in
# .ci/lint-base, whose full run was clean, and every source that includes a changed header
# (scripts/lint-scope), and after a CMakeLists.txt or cmake/ change every source whose
# compile command differs from the one .ci/lint-flags records for that commit; a change to
# .clang-tidy checks everything, as do LINT_FULL=1 and LINT_TESTS=1 (and a change to
# LINT_DIRS needs one). After a clean full run, write its commit to .ci/lint-base and its
# commands with `scripts/lint-scope --record $(BUILD)-lint/compile_commands.json >
# .ci/lint-flags`. A full run takes about 15 minutes on two cores.
LINT_DIRS = engine/(?!parse/)|stdlib/|cli/$(if $(LINT_TESTS),|bench/|tests/unit/,)
lint-cpp: bootstrap-test
	@cmake -S . -B $(BUILD)-lint -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DCMAKE_UNITY_BUILD=OFF >/dev/null
	@cmake --build $(BUILD)-lint -j $(JOBS) --target regpol_grammar_sources >/dev/null
	@scope=$$(if [ -n "$(LINT_FULL)$(LINT_TESTS)" ]; then echo ALL; else scripts/lint-scope .ci/lint-base .ci/lint-flags $(BUILD)-lint/compile_commands.json; fi); \
	  if [ "$$scope" = ALL ]; then files='$(CURDIR)/($(LINT_DIRS)).*\.cpp$$'; echo "lint-cpp: every source"; \
	  elif [ -z "$$scope" ]; then echo "lint-cpp: no source changed since $$(cat .ci/lint-base), whose full run was clean"; exit 0; \
	  else files="$(CURDIR)/($$(echo $$scope | tr ' ' '|' | sed 's/\./\\./g'))$$"; \
	    echo "lint-cpp: $$(echo $$scope | wc -w) sources changed since $$(cat .ci/lint-base) or including a changed header"; fi; \
	  run-clang-tidy -quiet -p $(BUILD)-lint -j $(JOBS) "$$files" > $(BUILD)-lint/clang-tidy.log 2>&1; \
	  rc=$$?; sed 's/\x1b\[[0-9;]*m//g' $(BUILD)-lint/clang-tidy.log | grep -E '^/.*(warning|error):' | sort -u; \
	  if [ $$rc -ne 0 ]; then echo "lint-cpp: clang-tidy found problems (full log: $(BUILD)-lint/clang-tidy.log)"; exit 1; fi; \
	  echo "lint-cpp: clean"

bench: bootstrap-test build
	@bench/run

clean:
	rm -rf $(BUILD) $(BUILD)-sanitize $(BUILD)-tsan $(BUILD)-lint
