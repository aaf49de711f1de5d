"""Renderings of a personal plan: iCalendar, FHIR, printable HTML and plain text."""
