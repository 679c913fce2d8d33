"""Fuzz targets for sitrep's readers and normalisers (run by hand: `fuzz/run.sh TARGET SECONDS`)."""
