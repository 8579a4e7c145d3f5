"""Notifications: who must act after each event, in-app and by e-mail (the outbox is
commons.notifications.models.Notification)."""
