"""Privacy: the notice (GDPR art. 13), its acknowledgements, data download and erasure."""
