"""Use cases shared by handlers and jobs."""
