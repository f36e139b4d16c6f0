# bench: benchmarks against peers (run with bench/run.sh; results go to
# docs/PERFORMANCE.md).  Never part of "make check".
EXTRA_DIST += bench/run.sh bench/hive.sh bench/fuzz.sh bench/README.md \
	bench/plan.sh bench/plan-rules.xml bench/store.sh \
	bench/maptouch.c
