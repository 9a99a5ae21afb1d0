"""Repositories: every query of salesbot lives in this package."""
