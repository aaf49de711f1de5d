"""Per-page view models: what a page shows, built from the core and the db adapters, ready for its template."""
