"""The public summary of a proposal, published with its public notice."""
