"""Running work off the web process: the queue (Huey), the job handlers and the worker.

Infrastructure like `bot.digest_scheduler`: it drives the services (which know nothing of a
queue) from worker threads or processes, with Slack publishers built once per process.
"""
