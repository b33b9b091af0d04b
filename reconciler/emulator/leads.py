"""`POST /v3/autocall/import` (vendor page "Run Autocall"): import a lead and call it.

The body is `{campaign_uuid, phone_number, param: {key: value}}`; the answer
`{call_id, lead_uuid, message: "success"}`; a missing key answers the page's problem list,
`{"error": [{"(root)": "phone_number is required"}]}`. Each import is a new lead (the docs do
not say a repeated import is merged, so the emulator calls the number again, as a real
tenant is assumed to) and one call record at the emulator's clock, which the call reports
(emulator/reports.py) are computed from: `status` sees the calls a push made.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reconciler.emulator.documents import new_uuid
from reconciler.emulator.reports import DEFAULT_LIST, STAMP
from reconciler.emulator.store import Store

REQUIRED = ("campaign_uuid", "phone_number", "param")
NOT_FOUND = "campaign is not found"  # undocumented for import; the reports' wording
# How the emulated call ends, by the number's last digit: mostly answered, some not.
_OUTCOMES = {"6": "busy", "7": "no_answered", "8": "no_answered", "9": "not_available"}


def import_lead(store: Store, body: Any, error: type[Exception]) -> dict[str, str]:
    """Store the lead and its call; the answer's body. Problems raise `error(status, detail)`."""
    if not isinstance(body, dict):
        raise error(400, [{"(root)": "Invalid type. Expected: object"}])
    problems = [{"(root)": f"{key} is required"} for key in REQUIRED
                if body.get(key) in (None, "")]
    if problems:
        raise error(400, problems)
    for key in ("campaign_uuid", "phone_number"):
        if not isinstance(body[key], str):
            raise error(400, [{key: "Invalid type. Expected: string"}])
    if not isinstance(body["param"], dict):
        raise error(400, [{"param": "Invalid type. Expected: object"}])
    campaign_uuid = body["campaign_uuid"]
    if store.get_campaign(campaign_uuid) is None:
        raise error(404, NOT_FOUND)
    phone = body["phone_number"].strip()
    call_id, lead_uuid = new_uuid(), new_uuid()
    status = _OUTCOMES.get(phone[-1:], "answered")
    moment = datetime.fromisoformat(store.clock.now())
    store.add_calls([{
        "cdr_uuid": call_id,
        "campaign_uuid": campaign_uuid,
        "lead_uuid": lead_uuid,
        "phone_number": phone,
        "start_stamp": moment.strftime(STAMP),
        "status": status,
        "duration": 30 if status == "answered" else 20,
        "billsec": 21 if status == "answered" else 0,
        "lead_name": "",
        "list_name": DEFAULT_LIST,
        "params": {str(key): value for key, value in body["param"].items()},
    }])
    return {"call_id": call_id, "lead_uuid": lead_uuid, "message": "success"}
