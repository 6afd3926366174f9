"""Scheduled jobs (APScheduler): sweeps that find deadlines coming near or passing."""
