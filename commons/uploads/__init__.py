"""Uploads: files people attach (statutes, identity documents, photos, plans, minutes)."""
