"""Public consultation: comments and requests to join during a proposal's public notice."""
