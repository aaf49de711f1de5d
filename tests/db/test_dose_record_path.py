"""One way to record a given dose: through :func:`msinfusion.db.given_doses.record_dose`, which checks it.

Pages and the API call that adapter; no other module (patient_records included) stores a GivenDose row
of its own, so no dose skips the checks, the clinician's confirmation or the prescription's version.
"""

from __future__ import annotations

import re
from pathlib import Path

import msinfusion

SOURCE = Path(msinfusion.__file__).parent
# The adapter itself, and the demo's made-up history (written before the app serves anyone).
ALLOWED = {"db/given_doses.py", "db/demo.py"}


def test_only_the_dose_record_adapter_makes_given_dose_rows() -> None:
    makers = {
        path.relative_to(SOURCE).as_posix()
        for path in SOURCE.rglob("*.py")
        if re.search(r"(?<!class )\bGivenDose\(|insert\(GivenDose\b", path.read_text(encoding="utf-8"))
    }
    assert "db/given_doses.py" in makers
    assert makers <= ALLOWED, makers - ALLOWED


def test_the_routes_record_doses_through_the_adapter() -> None:
    for route in ("web/routes/staff/patients.py", "web/routes/api/patients.py"):
        assert "given_doses.record_dose(" in (SOURCE / route).read_text(encoding="utf-8"), route
