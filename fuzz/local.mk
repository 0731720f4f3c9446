# fuzz/: harness sources and seed corpora live here; each area's fragment
# adds its own fuzz_*_replay check programs (see fuzz/replay.c).
EXTRA_DIST += fuzz/replay.c fuzz/corpus
