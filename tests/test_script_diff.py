"""Script text: word diffs that never cut a Vietnamese letter, and placeholder rules."""

from __future__ import annotations

import unicodedata

import pytest

from reconciler.render.values import marked_words, script_lines, word_diff
from reconciler.template_fields import (
    placeholder_problem,
    placeholders,
    press_options_read_form,
    press_options_write_form,
)


def test_word_diff_marks_whole_words():
    assert marked_words("khoản nợ đến hạn", "khoản nợ đã quá hạn") == (
        "khoản nợ [-đến-]{+đã quá+} hạn")


def test_word_diff_is_the_same_whether_typed_in_nfc_or_nfd():
    text = "Cảm ơn quý khách đã thanh toán"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert [op for op, _ in word_diff(text, nfd)] == ["="]
    # A changed tone mark changes the whole word, never half a letter.
    assert marked_words("đã thanh toán", unicodedata.normalize("NFD", "đà thanh toán")) == (
        "[-đã-]{+đà+} thanh toán")


def test_script_lines_show_lines_and_their_word_changes():
    before = "Chào {{customer_name}}\nKhoản nợ đến hạn\nCảm ơn"
    after = "Chào {{customer_name}}\nKhoản nợ quá hạn\nCảm ơn"
    assert script_lines(before, after) == [
        (" ", "Chào {{customer_name}}"),
        ("-", "Khoản nợ đến hạn"),
        ("+", "Khoản nợ quá hạn"),
        ("~", "Khoản nợ [-đến-]{+quá+} hạn"),
        (" ", "Cảm ơn"),
    ]
    assert script_lines("same", "same") is None


def test_placeholders_in_order_of_first_use():
    text = "Chào {{customer_name}}, nợ {{ due_amount }} ({{customer_name}})"
    assert placeholders(text) == ["customer_name", "due_amount"]


@pytest.mark.parametrize("text,problem", [
    ("{{ten khach}}", "malformed placeholder '{{ten khach}}'"),
    ("{{}}", "malformed placeholder '{{}}'"),
    ("{{1abc}}", "malformed placeholder '{{1abc}}'"),
    ("Chào {{customer_name}", "unbalanced {{ or }}"),
    ("Chào customer_name}}", "unbalanced {{ or }}"),
    ("Chào {customer_name}", "{customer_name} has single braces"),
])
def test_malformed_placeholders_are_named(text, problem):
    assert placeholder_problem(text).startswith(problem)


@pytest.mark.parametrize("text", ["", "Chào {{customer_name}}", "không có tham số", "{{a_1}}{{b}}"])
def test_well_formed_placeholders_pass(text):
    assert placeholder_problem(text) == ""


def test_press_options_read_and_write_forms():
    written = [{"press_num": "1", "toggled": True, "voice_type": "tts", "enable": True,
                "content": "Cảm ơn", "audio_file": "", "type": "tts", "extension": "5000"}]
    read = press_options_read_form(written)
    assert read == [{"1": {"voice_type": "tts", "content": "Cảm ơn"}}]
    assert press_options_write_form(read) == [
        {"press_num": "1", "voice_type": "tts", "content": "Cảm ơn"}]
