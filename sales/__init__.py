"""Business rules over plain data: no I/O, no imports from the rest of salesbot."""
