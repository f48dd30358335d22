"""SQLAlchemy models, the database connection and migrations, and the services (no Qt here)."""
