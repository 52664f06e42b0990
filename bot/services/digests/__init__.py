"""Daily cross-timezone handover digests.

`timing` says when each side's digest goes out (working days, holidays, DST), `service` builds
and posts one exactly once through the ports in `ports`, `content` is what a digest holds and
`privacy` what one channel may see of another's. The thread that fires digests on time is
infrastructure and lives outside services (`bot.digest_scheduler`).
"""
