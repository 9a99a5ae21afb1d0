"""Feishu (飞书) adapter: event webhook, card callbacks, cards JSON 2.0 and the open-platform API client."""
