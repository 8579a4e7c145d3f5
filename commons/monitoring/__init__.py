"""Monitoring reports, statutory clocks, the tick and the notification outbox."""
