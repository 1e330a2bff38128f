"""Demo and scale data sets."""
