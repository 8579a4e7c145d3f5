"""The hash-chained history of everything that happens to a proposal."""
