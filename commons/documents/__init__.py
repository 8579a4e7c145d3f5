"""Pact versions, rendering, storage, signatures and verification."""
