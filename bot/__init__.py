"""salesbot: chat-ops sales management for WeCom, DingTalk and Feishu."""

__version__ = "0.1.0"
