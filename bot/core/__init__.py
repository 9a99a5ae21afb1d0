"""The kernel: shapes every layer shares. It imports nothing of ours, so anyone may import it."""
