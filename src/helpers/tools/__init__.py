"""Tools around the pipeline: a synthetic corpus for scale tests, mutation testing of the checks."""
