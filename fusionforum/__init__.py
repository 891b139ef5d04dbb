"""Fusion Forum: run a public-private fusion workshop end to end."""
