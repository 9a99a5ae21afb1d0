"""Feishu (飞书): event webhook or long connection, card callbacks, cards JSON 2.0, approval v4.

adapter.py (verify → decrypt → Event), api.py (FeishuAPI), render.py (FeishuRenderer), routes.py
(POST /feishu/events), platform.py (the Platform: how they are built, and the clients' lifespan); the rest
is in extras/.
"""
