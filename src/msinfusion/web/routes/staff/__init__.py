"""Pages for center staff: the catalog, patients, the day schedule and the day board."""
