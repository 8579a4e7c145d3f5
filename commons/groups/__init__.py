"""Proponent groups: create and manage a group, its members, invitations and representative."""
