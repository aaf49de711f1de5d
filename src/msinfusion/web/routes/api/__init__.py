"""The JSON API (/api), grouped by what it serves: meta, catalog, patients, the patient's own data, schedule."""
