"""Bolt listeners, one module per Slack feature, each exposing `register(app, services, help)`."""
