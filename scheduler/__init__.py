"""The scheduler process: reads due work from PostgreSQL and enqueues it. It never does the work itself."""
