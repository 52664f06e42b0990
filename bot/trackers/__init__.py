"""Adapters for the issue trackers approved stories are filed in (Jira Cloud today)."""
