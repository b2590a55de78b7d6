# The radio benchmark: routing's airtime on a 1200 baud kisssim channel,
# cold start and one-hop RTT, next to babeld's traffic priced as AX.25
# (root; about 15 minutes).  Like bench_line, `make bench` runs it through
# a wrapper that points it at this build; not part of `make check`.
if DAEMON
bench_programs += tests/bench/bench_radio
CLEANFILES += tests/bench/bench_radio
tests/bench/bench_radio: $(top_srcdir)/tests/bench/bench_radio.sh
	@mkdir -p tests/bench
	@{ echo '#!/bin/sh'; \
	   echo "top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)'"; \
	   echo 'export top_srcdir top_builddir'; \
	   echo 'exec sh "$$top_srcdir/tests/bench/bench_radio.sh" "$$@"'; } >$@
	@chmod +x $@
endif
EXTRA_DIST += tests/bench/bench_radio.sh
