"""Liveness, readiness and the Moltbook health endpoint."""
