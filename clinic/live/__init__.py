"""Live updates: what changed (appointment events read after commit) and who may see each change."""
