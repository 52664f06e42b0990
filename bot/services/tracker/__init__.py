"""Approved stories in the team's issue tracker (Jira today), exactly once per story."""
