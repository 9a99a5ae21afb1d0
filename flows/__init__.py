"""Use cases shared by handlers and jobs (DESIGN.md, "The layers")."""
