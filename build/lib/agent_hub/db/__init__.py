"""Database infrastructure: declarative base, engines, the request-scoped unit of work."""
