"""Pages and API for patients: their plan, card, calendar copies and the private feed."""
