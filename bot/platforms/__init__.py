"""The platforms: one package per platform, all of one shape, and the modules they share.

Each of wecom/, dingtalk/, feishu/, playground/ and intake/ has adapter.py (inbound: verify → decrypt →
payload → Event), api.py (outbound), render.py (a Renderer object), routes.py (HTTP, translate only) and
platform.py (its `Platform`, base.py), with everything else in its extras/ sub-package. registry.py lists
them and builds what the app shell needs; the other modules here are shared by the packages (HTTP helpers,
refusals, tokens, leases, quotas, downloads, member sync). Importing this package imports nothing.
"""
