"""Nothing here: the playground needs no crypto, HTTP client, limits or sync.

Its page and console (people, timeline, outbox, clock, jobs) are bot/web/playground.py, in the app shell,
because they drive the scheduler and the clock.
"""
