"""Shared machinery: database, authentication, tenancy, API plumbing, event log."""
