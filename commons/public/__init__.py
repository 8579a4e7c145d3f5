"""What anyone can read without logging in."""
