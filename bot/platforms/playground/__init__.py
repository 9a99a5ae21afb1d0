"""The playground: a browser page that plays every platform, so the bot can be tried without credentials.

adapter.py (the page's posts → Events), api.py (delivery = the row the page reads), render.py (every skin),
routes.py (its two inbound routes), platform.py (the Platform). extras/ is empty: no crypto, client or limits.
"""
