# probity - procurement integrity audit engine.  Plain GNU make.
#
#   make            build build/probity
#   make demo       audit samples/ into out/ (report.html, findings.json, ...)
#   make test       unit, end-to-end and hostile-input tests
#   make check      the same tests built with ASan + UBSan
#   make layering   the layers run one way (make test runs it too)
#   make bench      throughput figures on generated ledgers
#   make fuzz       libFuzzer harnesses: CSV, OCDS, XML, config, whole pipeline
#                   (FUZZ_SECONDS=N each; installs clang)
#   make faults     allocation/write fault injection on every reporter
#   make install    PREFIX=/usr/local DESTDIR=
#   make format / clean / uninstall

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DESTDIR ?=
BUILD ?= build
CC ?= cc

PKGS := libxml-2.0 libpcre2-8 jansson inih libutf8proc zlib sqlite3
WARN := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wwrite-strings
ifdef WERROR
WARN += -Werror
endif
ifdef SAN
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

# Ask pkg-config only when building; `make deps` must work before it exists.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# The program is optimised whole at link time: the small look-ups every
# row and rule calls (a text from its id, a record from its row, a key's
# slot) are inlined across modules: a 1M-row audit takes 3% less time
# (medians; bench/RESULTS.md).  Objects also hold plain code (fat), so the unit
# tests link without a whole-program pass each; not in sanitizer builds.
# LTO= builds without it; so does a compiler other than gcc (clang's
# objects would be bitcode only, which the unit tests cannot link plain).
ifndef SAN
ifeq ($(shell $(CC) -v 2>&1 | grep -c '^gcc version'),1)
LTO ?= -flto=auto -ffat-lto-objects
endif
endif
LTO_LINK = $(if $(LTO),-flto=auto -O2 -g)

# Paths in debug info and __FILE__ are relative, so a build is the same in
# any directory; the user's CPPFLAGS and CFLAGS come last.
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g $(WARN) $(SANFLAGS) \
	-ffile-prefix-map=$(CURDIR)/= -MMD -MP $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS = $(PKG_LIBS) -lcsv -lm

# Layers (docs/architecture.md): engine/ at the bottom; importers/, rules/
# and reports/ above it; cli/ on top.  `make layering` checks the direction.
LIB_SRC := $(wildcard engine/*.c) \
	$(wildcard importers/*.c) $(wildcard rules/*.c) $(wildcard reports/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_SRC := $(filter-out cli/main.c,$(wildcard cli/*.c))
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps demo test test-run check layering bench fuzz faults install uninstall format clean

# Only deps, demo and test install packages; a plain build stops with the
# missing pkg-config module named.
all: $(BUILD)/probity

deps:
	@./.ci/deps

$(BUILD)/.pkgcheck:
	@for m in $(PKGS); do pkg-config --exists $$m || { \
		echo "probity: missing library: pkg-config module '$$m' not found;" \
		"run 'make deps' as root (it installs the Debian packages)" >&2; exit 1; }; done
	@mkdir -p $(dir $@) && touch $@

$(LIB_OBJ) $(CLI_OBJ) $(BUILD)/cli/main.o: | $(BUILD)/.pkgcheck

$(BUILD)/probity: $(BUILD)/cli/main.o $(BUILD)/libprobity-cli.a $(BUILD)/libprobity.a
	+$(CC) $(ALL_LDFLAGS) $(LTO_LINK) $(WARN) -o $@ $^ $(LIBS)

$(BUILD)/libprobity.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/libprobity-cli.a: $(CLI_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# The program's own code is -Wconversion clean (tests need not be).
$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LTO) -Wconversion -I$(BUILD)/gen -c -o $@ $<

# Data files in config/ are compiled in as C string literals of their
# codes (the first word of each line that is not a comment), eight to a
# line so that `probity init` writes them as short continuation lines.
$(BUILD)/gen/%.inc: config/%.txt
	@mkdir -p $(dir $@)
	{ printf '"'; sed -e 's/#.*//' -e '/^[[:space:]]*$$/d' \
		-e 's/^[[:space:]]*\([^[:space:]]*\).*/\1/' $< | \
		paste -sd '       \n' | sed 's/$$/\\n/' | tr -d '\n'; \
		printf '"\n'; } > $@

# The procedure table is compiled in whole, one C string per line.
$(BUILD)/gen/procedures.inc: config/procedures.txt
	@mkdir -p $(dir $@)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/",/' $< > $@

$(BUILD)/engine/procedure.o: $(BUILD)/gen/procedures.inc
$(BUILD)/rules/supplier.o: $(BUILD)/gen/secrecy-jurisdictions.inc
$(BUILD)/rules/timing.o: $(BUILD)/gen/holidays.inc

# Every unit test links tests/unit/catalog.c, which installs the plug-in
# tables as cli/main.c does.
$(BUILD)/tests/%: tests/unit/%.c tests/unit/catalog.c $(BUILD)/libprobity-cli.a $(BUILD)/libprobity.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< tests/unit/catalog.c \
		$(BUILD)/libprobity-cli.a $(BUILD)/libprobity.a \
		$(LIBS) $(shell pkg-config --libs cmocka 2>/dev/null)

demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/probity
	@rm -rf out.tmp
	./$(BUILD)/probity audit -c samples/valdoria/probity.ini -o out --format html,json,csv,text samples/valdoria; \
		rc=$$?; [ $$rc -le 1 ] || exit $$rc
	@echo "probity: open out/report.html in a browser"

test:
	@./.ci/deps test
	@$(MAKE) --no-print-directory test-run

# The layers run one way: includes, symbols, no cycle (tests/layering/run.sh).
layering: $(LIB_OBJ) $(CLI_OBJ) $(BUILD)/cli/main.o
	@sh tests/layering/run.sh $(BUILD)

test-run: $(BUILD)/probity $(UNIT_BIN)
	@set -e; export LC_ALL=C TZ=UTC; \
	sh tests/layering/run.sh $(BUILD); \
	for t in $(UNIT_BIN); do echo "== $$t"; $$t; done; \
	PROBITY=$(BUILD)/probity sh tests/e2e/run.sh; \
	PROBITY=$(BUILD)/probity sh tests/rules/run.sh; \
	PROBITY=$(BUILD)/probity sh tests/e2e/history.sh; \
	PROBITY=$(BUILD)/probity sh tests/browser/run.sh; \
	PROBITY=$(BUILD)/probity sh tests/bad/run.sh; \
	PROBITY=$(BUILD)/probity sh tests/faults/run.sh; \
	PROBITY=$(BUILD)/probity sh tests/real/ocds.sh; \
	PROBITY=$(BUILD)/probity sh tests/real/xml.sh; \
	PROBITY=$(BUILD)/probity sh tests/real/precision.sh; \
	PROBITY=$(BUILD)/probity sh tests/e2e/manpage.sh; \
	PROBITY=$(BUILD)/probity sh tests/cardinal/run.sh
	@echo "probity: all tests passed"

check:
	@./.ci/deps test
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 test-run

# BENCH_SIZES=100k for a quick run; bench/run.sh lists the other knobs.
bench: all
	$(CC) -O2 -Wall -Wextra -o $(BUILD)/csvparse bench/csvparse.c -lcsv
	$(CC) -O2 -Wall -Wextra -o $(BUILD)/memlat bench/memlat.c
	sh bench/run.sh $(BUILD)/probity $(BUILD)/csvparse $(BUILD)/memlat

# make fuzz FUZZ_SECONDS=N: every harness in fuzz/ for N seconds each
# (installs clang and libclang-rt-14-dev as `make deps` installs the rest).
FUZZ_SECONDS ?= 60
fuzz: deps
	@sh fuzz/deps.sh
	$(MAKE) -C fuzz run FUZZ_SECONDS=$(FUZZ_SECONDS)

# make faults: fault injection over every allocation and call of a report
# run (FAULT_STEP=1; minutes); make test runs a sample of them.
FAULT_STEP ?= 1
faults: $(BUILD)/probity
	FAULT_STEP=$(FAULT_STEP) PROBITY=$(BUILD)/probity sh tests/faults/run.sh

install: $(BUILD)/probity
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PREFIX)/share/probity/profiles
	install -m 755 $(BUILD)/probity $(DESTDIR)$(BINDIR)/probity
	install -m 644 config/profiles/*.ini $(DESTDIR)$(PREFIX)/share/probity/profiles/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/doc/probity
	install -m 644 docs/probity.1 $(DESTDIR)$(PREFIX)/share/man/man1/probity.1
	install -m 644 docs/scheduling.md docs/history.md $(DESTDIR)$(PREFIX)/share/doc/probity/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/probity
	rm -rf $(DESTDIR)$(PREFIX)/share/probity $(DESTDIR)$(PREFIX)/share/doc/probity
	rm -f $(DESTDIR)$(PREFIX)/share/man/man1/probity.1

format:
	clang-format -i engine/*.[ch] importers/*.[ch] rules/*.[ch] reports/*.[ch] cli/*.[ch] tests/unit/*.c

clean:
	rm -rf build out

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
