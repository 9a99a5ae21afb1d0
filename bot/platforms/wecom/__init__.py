"""WeCom (企业微信): callback crypto (WXBizMsgCrypt), inbound adapter, outbound API and card rendering."""
