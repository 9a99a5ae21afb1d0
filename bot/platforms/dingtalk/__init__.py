"""DingTalk (钉钉): Stream and HTTP robot, interactive cards, custom-robot pushes, OA quote approvals.

adapter.py (payloads → Events), api.py (DingTalkAPI), render.py (DingTalkRenderer), routes.py (HTTP mode),
platform.py (the Platform: how they are built, and the Stream client's lifespan); the rest is in extras/.
"""
