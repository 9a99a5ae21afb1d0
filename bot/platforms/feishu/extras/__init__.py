"""Feishu's extras: the long connection and its frames, crypto, limits, delayed card updates, approval v4 and
its events, media downloads, deal rooms, member sync, web login, the preview."""
