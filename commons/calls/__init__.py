"""City-initiated calls on listed commons: the call and its file, applying, the panel's
evaluation, the ranking and the admitting act (DOMAIN.md, "Calls on listed commons")."""
