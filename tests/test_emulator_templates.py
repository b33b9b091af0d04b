"""The vendor's template page (api-docs/vendor/autocall_template.md), replayed against the
emulator: each curl example answers what the page shows. Bodies are copied from the page."""

from __future__ import annotations

import copy
from typing import Any

import requests

from reconciler.emulator import EmulatorServer

# "Create Template TTS" curl body.
DOCS_CREATE_TTS: dict[str, Any] = {
    "template_name": "thong_bao_no_cuoc_02",
    "voice_type": "tts",
    "enable_option": True,
    "voice_tts": "south-m-03",
    "speed_tts": 0.9,
    "content": "Chào bạn {{customer_name}} vui lòng thanh toán khoản nợ {{due_amount}} trước "
    "ngày {{due_date}}, vui lòng bấm phím 1 nếu bạn đã thanh toán",
    "exit_sound": {"enable": True, "voice_type": "tts",
                   "content": "Cám ơn {{customer_name}} đã sử dụng"},
    "invalid_sound": {"enable": True, "voice_type": "tts",
                      "content": "{{customer_name}} đã nhập sai"},
    "press_options": [{"press_num": "1", "toggled": False, "voice_type": "tts", "enable": True,
                       "content": "Cám ơn {{customer_name}} đã thanh toán", "type": "tts",
                       "extension": "5000"}],
    "press_timeout": 3,
    "max_timeout": 1,
    "inter_digit_timeout": 2,
}
# "Update Template" curl body: the whole template as read, press options in write form.
DOCS_UPDATE: dict[str, Any] = {
    "audio_file": "54a00d51-7c3f-4c97-b578-a43966fbdf48",
    "description": "",
    "enable_option": True,
    "exit_sound": {"audio_file": "22643d66-e9dd-4821-a9d6-a7347de5d84f", "enable": True,
                   "voice_type": "audio_file"},
    "inter_digit_timeout": 5,
    "invalid_sound": {"audio_file": "22643d66-e9dd-4821-a9d6-a7347de5d84f", "enable": True,
                      "voice_type": "audio_file"},
    "max_timeout": 1,
    "press_options": [{"press_num": "1", "toggled": True, "voice_type": "tts", "enable": True,
                       "content": "Cám ơn đã bấm phím", "type": "tts", "extension": "5000"}],
    "press_timeout": 5,
    "speed_tts": 1,
    "template_name": "temp_audio_01",
    "template_uuid": "e94b30fb-8fcf-41a7-8e4b-8766483e069f",
    "voice_tts": "south-f-03",
    "voice_type": "audio_file",
}


def curl(srv: EmulatorServer, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(method, srv.url + path, json=body, timeout=5, headers={
        "Content-type": "application/json", "Authorization": f"Bearer {srv.token}"})


def test_create_answers_and_reads_back_in_the_read_shape(emulator: EmulatorServer) -> None:
    answer = curl(emulator, "POST", "/v3/template", DOCS_CREATE_TTS).json()
    # `"created": "true"` is a string on create (and a boolean on update): as the page shows.
    assert list(answer) == ["created", "template_uuid"] and answer["created"] == "true"
    uuid = answer["template_uuid"]
    assert curl(emulator, "POST", "/v3/template", DOCS_CREATE_TTS).json() == {
        "error": "template is existed!"}
    detail = curl(emulator, "GET", f"/v3/template/{uuid}").json()
    # "Get Template By Id": alphabetical keys, no audio_file for a TTS template, press options
    # keyed by their number without toggled/enable/type/extension.
    assert detail == {
        "content": DOCS_CREATE_TTS["content"],
        "description": "",
        "enable_option": True,
        "exit_sound": {"content": "Cám ơn {{customer_name}} đã sử dụng", "enable": True,
                       "voice_type": "tts"},
        "inter_digit_timeout": 2,
        "invalid_sound": {"content": "{{customer_name}} đã nhập sai", "enable": True,
                          "voice_type": "tts"},
        "max_timeout": 1,
        "press_options": [{"1": {"content": "Cám ơn {{customer_name}} đã thanh toán",
                                 "voice_type": "tts"}}],
        "press_timeout": 3,
        "speed_tts": 0.9,
        "template_name": "thong_bao_no_cuoc_02",
        "template_uuid": uuid,
        "voice_tts": "south-m-03",
        "voice_type": "tts",
    }
    # What a read does not show is kept all the same.
    stored = emulator.store.get_template(uuid)
    assert stored["press_options"][0]["extension"] == "5000"
    listed = curl(emulator, "GET", "/v3/template?template_name=cuoc_02").json()
    assert listed["data"] == [detail] and listed["total"] == 1


def test_list_filter_matches_substrings(emulator: EmulatorServer) -> None:
    found = curl(emulator, "GET", "/v3/template?template_name=thong_bao_no_cuoc_01").json()
    assert sorted(row["template_name"] for row in found["data"]) == [
        "thong_bao_no_cuoc_01", "thong_bao_no_cuoc_01_en"]


def test_update_answers_as_documented_and_is_a_full_replace(emulator: EmulatorServer) -> None:
    """The page's Update sample sends the template whole, as a read shows it (description "",
    every timeout, speed and voice), with `template_name` required: the same contract as the
    campaign PUT. So the emulator treats a template PUT as a full replace, and the tool always
    sends the whole template: correct whether the real server replaces or merges."""
    uuid = curl(emulator, "POST", "/v3/template", DOCS_CREATE_TTS).json()["template_uuid"]
    body = {**copy.deepcopy(DOCS_UPDATE), "template_uuid": uuid}
    assert curl(emulator, "PUT", f"/v3/template/{uuid}", body).json() == {
        "created": True, "template_uuid": uuid, "updated": "true"}
    detail = curl(emulator, "GET", f"/v3/template/{uuid}").json()
    assert "content" not in detail  # left out of the PUT: reset (and an empty text is not read)
    assert detail["audio_file"] == DOCS_UPDATE["audio_file"]
    assert detail["press_options"] == [
        {"1": {"content": "Cám ơn đã bấm phím", "voice_type": "tts"}}]
    assert emulator.store.get_template(uuid)["press_options"][0]["toggled"] is True
    nameless = {key: value for key, value in body.items() if key != "template_name"}
    assert curl(emulator, "PUT", f"/v3/template/{uuid}", nameless).json() == {
        "error": [{"(root)": "template_name is required"}]}
    taken = {**body, "template_name": "ma_otp_01"}
    assert curl(emulator, "PUT", f"/v3/template/{uuid}", taken).json() == {
        "error": "template is existed!"}


def test_delete_answers_and_refuses_a_template_in_use(emulator: EmulatorServer) -> None:
    uuid = curl(emulator, "POST", "/v3/template", DOCS_CREATE_TTS).json()["template_uuid"]
    emulator.store.add_campaign({"campaign_name": "Uses", "template_uuid": uuid})
    # Not documented: the emulator refuses rather than leave a campaign without its script.
    refused = curl(emulator, "DELETE", f"/v3/template/{uuid}")
    assert (refused.status_code, refused.json()) == (
        400, {"error": "template is used by a campaign"})
    emulator.store.delete_campaign(emulator.store.campaign_uuid_by_name("Uses"))
    assert curl(emulator, "DELETE", f"/v3/template/{uuid}").json() == {"deleted": "true"}
    gone = curl(emulator, "DELETE", f"/v3/template/{uuid}")
    assert (gone.status_code, gone.json()) == (404, {"error": "template not found"})
    assert curl(emulator, "PUT", f"/v3/template/{uuid}", DOCS_CREATE_TTS).json() == {
        "error": "template not found"}


def test_create_requires_a_name_and_checks_voices(emulator: EmulatorServer) -> None:
    assert curl(emulator, "POST", "/v3/template", {"voice_type": "tts"}).json() == {
        "error": [{"(root)": "template_name is required"}]}
    bad = curl(emulator, "POST", "/v3/template", {"template_name": "x", "voice_tts": "robot",
                                                  "speed_tts": 3}).json()
    assert [next(iter(problem)) for problem in bad["error"]] == ["voice_tts", "speed_tts"]


def test_renaming_a_template_renames_it_in_campaign_rows(emulator: EmulatorServer) -> None:
    uuid = curl(emulator, "POST", "/v3/template", DOCS_CREATE_TTS).json()["template_uuid"]
    emulator.store.add_campaign({"campaign_name": "Uses", "template_uuid": uuid})
    assert curl(emulator, "PUT", f"/v3/template/{uuid}",
                {**DOCS_CREATE_TTS, "template_name": "renamed"}).ok
    [row] = curl(emulator, "GET", "/v3/campaign").json()["data"]
    assert row["template_name"] == "renamed"
