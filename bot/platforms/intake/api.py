"""Lead intake sends nothing: a source (a form, an ad platform, a website) only posts leads to us.

The rep who gets a lead hears of it on their chat platform, through that platform's API; so the intake
Platform has no API, and this module holds only that statement.
"""
