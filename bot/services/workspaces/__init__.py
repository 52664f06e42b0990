"""Workspaces the app is installed in (several workspaces, one deployment): what an uninstall
stops."""
