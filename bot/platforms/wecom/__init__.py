"""WeCom (企业微信): the self-built app and the intelligent robot (callback crypto), group-robot webhooks, cards.

adapter.py (the app callback: verify → decrypt → Event), api.py (WecomAPI), render.py (WecomRenderer),
routes.py (/wecom/app, /wecom/bot), platform.py (the Platform); the rest — the robot's callback, crypto,
safe XML, the HTTP client, limits, markdown_v2, media, rooms, sync, JS-SDK, OAuth, preview — is in extras/.
"""
