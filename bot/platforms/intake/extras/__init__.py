"""Lead intake's extras: the expo form's per-address rate limit."""
