"""Backups and restores: a logical, engine-neutral copy of the database and the files a restore
needs, taken in one snapshot while the server serves; restored into an empty database of either
kind (SQLite or PostgreSQL)."""
