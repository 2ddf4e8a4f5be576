"""Housekeeping: rows that only ever accumulate (finished deliveries and jobs, dead sessions,
old audit events) are deleted after their retention, so a hub can run for months unattended."""
