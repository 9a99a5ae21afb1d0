"""Lead intake: sources post leads to /intake/{channel}; expo visitors fill the channel's QR form.

adapter.py (the channel, and proof of origin: token, HMAC or CSRF), api.py (none: intake only receives),
render.py (the expo form's pages), routes.py (the two routes), platform.py (the Platform); the form's
rate limit is in extras/.
"""
