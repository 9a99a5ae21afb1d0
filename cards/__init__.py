"""Platform-neutral cards: the Card view-model, typed Actions and per-platform templates."""
