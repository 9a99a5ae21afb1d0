"""DingTalk's extras: the Stream client and its handlers, signatures and event crypto, throttling answers, OA
approvals and their results, media downloads, deal rooms, member sync, in-app login, the preview."""
