"""Users, proponent groups, roles, passwords, login and the one permission function."""
