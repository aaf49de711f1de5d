"""Routes, one module per area; each route declares its policy (see :mod:`msinfusion.web.policies`)."""
