# The line benchmark, mailled against babeld in network namespaces (root).
# Not part of `make check`: `make bench` runs it through a small wrapper
# that points it at this build; it also runs directly (see its header).
if DAEMON
bench_programs += tests/bench/bench_line
CLEANFILES += tests/bench/bench_line
tests/bench/bench_line: $(top_srcdir)/tests/bench/bench_line.sh
	@mkdir -p tests/bench
	@{ echo '#!/bin/sh'; \
	   echo "top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)'"; \
	   echo 'export top_srcdir top_builddir'; \
	   echo 'exec sh "$$top_srcdir/tests/bench/bench_line.sh" "$$@"'; } >$@
	@chmod +x $@
endif
EXTRA_DIST += tests/bench/bench_line.sh
