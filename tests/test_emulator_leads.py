"""The emulator's POST /v3/autocall/import against the vendor page ("Run Autocall"): the
docs' request and answers quoted, and every import feeding the call reports."""

from __future__ import annotations

import pytest
import requests

from reconciler.api import ApiClient, ApiError
from reconciler.emulator import EmulatorServer
from reconciler.emulator.seed import apply_seed

DOCS_CAMPAIGN = "e43b3104-5e7a-45bb-91ee-4364201c83c0"
# The page's sample body, word for word.
DOCS_BODY = {"campaign_uuid": DOCS_CAMPAIGN, "phone_number": "0331111111",
             "param": {"ten": "Nguyễn Văn A", "sdt": "0331111111"}}


@pytest.fixture
def srv(emulator: EmulatorServer) -> EmulatorServer:
    apply_seed(emulator.store, {"campaigns": [{"campaign_name": "AutocallTTS",
                                                "campaign_uuid": DOCS_CAMPAIGN}]})
    return emulator


def _post(srv: EmulatorServer, body: object) -> requests.Response:
    return requests.post(f"{srv.url}/v3/autocall/import", json=body, timeout=5,
                         headers={"Authorization": f"Bearer {srv.token}"})


def test_the_docs_sample_imports_a_lead_with_the_docs_answer(srv):
    answer = _post(srv, DOCS_BODY)
    assert answer.status_code == 200
    body = answer.json()
    assert sorted(body) == ["call_id", "lead_uuid", "message"] and body["message"] == "success"
    (row,) = srv.store.calls(DOCS_CAMPAIGN)
    assert (row["cdr_uuid"], row["lead_uuid"], row["phone_number"]) == (
        body["call_id"], body["lead_uuid"], "0331111111")


@pytest.mark.parametrize("missing", ["campaign_uuid", "phone_number", "param"])
def test_a_missing_key_answers_the_docs_problem_list(srv, missing):
    body = {key: value for key, value in DOCS_BODY.items() if key != missing}
    answer = _post(srv, body)
    assert answer.status_code == 400
    assert answer.json() == {"error": [{"(root)": f"{missing} is required"}]}
    assert srv.store.calls() == []


def test_an_unknown_campaign_is_refused(srv):
    answer = _post(srv, {**DOCS_BODY, "campaign_uuid": "00000000-0000-0000-0000-000000000000"})
    assert answer.status_code == 404 and answer.json() == {"error": "campaign is not found"}


def test_each_import_is_a_new_lead_and_the_reports_count_it(srv):
    with ApiClient(srv.url, token=srv.token) as client:
        first = client.import_lead(DOCS_CAMPAIGN, "0331111111", {"ten": "A"})
        again = client.import_lead(DOCS_CAMPAIGN, "0331111111", {"ten": "A"})
        assert first["lead_uuid"] != again["lead_uuid"]  # a repeat calls the number again
        assert client.campaign_call_report(DOCS_CAMPAIGN)["total"] == 2
        leads = client.lead_call_report(DOCS_CAMPAIGN)
        assert {row["lead_uuid"] for row in leads} == {first["lead_uuid"], again["lead_uuid"]}
        assert leads[0]["additional"] == {"phone_number": "0331111111", "ten": "A"}
        with pytest.raises(ApiError, match="400 phone_number is required"):
            client.import_lead(DOCS_CAMPAIGN, "", {})
