"""Use cases shared by handlers and jobs: lead life, the pool, follow-ups, imports and exports, grading."""
