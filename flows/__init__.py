"""Use cases shared by handlers, jobs and the CLI (DESIGN.md, "The layers")."""
