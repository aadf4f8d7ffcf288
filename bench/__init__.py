"""casereview's benchmark suite: national-scale synthetic data, each measure against a baseline."""
