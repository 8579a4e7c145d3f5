"""Proposals and the pacts they become."""
