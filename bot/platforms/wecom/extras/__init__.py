"""WeCom's extras: the robot's callback (robot.py), callback crypto and safe XML, the HTTP client, limits and
fitting, markdown_v2 tables, media downloads, deal rooms, member sync, the JS-SDK, OAuth login, the preview."""
