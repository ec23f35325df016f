# Thin wrapper, as in QEMU: meson does the real work.
#   make        install dependencies, fetch the pinned QEMU, build everything
#   make check  all of that, then every test suite (unit, qtest, e2e)
#   make demo   all of that, then run the demo scenario under the tracker
#               (ACCEL=auto|tcg|kvm; kvm runs nested where the host cannot)
#   make fuzz   all of that, then every libFuzzer target for long (not in CI)
#   make bench  all of that, then the tracker's cost on a fixed workload
#               (exits per system call under KVM, hook cycles under TCG)
BUILD ?= build
MESON ?= meson
ACCEL ?= auto

.PHONY: all deps check check-unit check-qtest check-e2e demo fuzz bench clean distclean

all: $(BUILD)/build.ninja
	$(MESON) compile -C $(BUILD)

deps:
	@sh scripts/st-deps.sh

$(BUILD)/build.ninja: | deps
	$(MESON) setup $(BUILD)

check: all
	@sh scripts/st-check.sh $(BUILD)

check-unit check-qtest check-e2e: all
	@sh scripts/st-check.sh $(BUILD) --suite $(@:check-%=%)

demo: all
	@sh scripts/st-demo.sh $(BUILD) --accel $(ACCEL)

# FUZZ_RUNS, FUZZ_TIME and FUZZ_TARGETS are read by the script.
fuzz: all
	@sh scripts/st-fuzz.sh $(BUILD)

bench: all
	@sh scripts/st-bench.sh $(BUILD)

clean:
	-$(MESON) compile -C $(BUILD) --clean

distclean:
	rm -rf $(BUILD) subprojects/qemu-*
