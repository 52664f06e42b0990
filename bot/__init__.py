"""APO Bridge: a Slack assistant for split software teams."""

__version__ = "0.1.0"
