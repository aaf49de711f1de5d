"""msinfusion: plans, prepares and schedules intravenous therapy for people with multiple sclerosis."""

__version__ = "0.1.0"
