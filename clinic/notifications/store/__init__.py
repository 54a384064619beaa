"""The notifications domain's SQL, one module per area."""
