"""Names as identities, pure: which names read the same (look-alikes) and how plans spell
a name so that what makes two of them differ can be seen."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from reconciler.names import BLANK_LOOKING, lookalike_key, looks_alike, same_name
from reconciler.safetext import spelt, visible

# Letters (Vietnamese among them), digits and punctuation: what a clean name is made of.
WORD_CHARS = st.characters(categories=["L", "N", "P"]).filter(
    lambda char: char not in BLANK_LOOKING and char not in "\\\u2420"
)
WORDS = st.lists(st.text(WORD_CHARS, min_size=1, max_size=6), min_size=1, max_size=4)
# What a portal, a paste or an IME slips into a name without it showing.
ODD = [" ", "\u00a0", "\u3000", "\u2009", "\u202f", "\t", "\u200b", "\ufeff", "\u2060", "\u3164"]


@st.composite
def perturbed(draw: st.DrawFn) -> tuple[str, str]:
    """(clean name, the same words with whitespace perturbations around and between them:
    ordinary spaces only, or any odd ones)."""
    odd = st.sampled_from(draw(st.sampled_from([[" "], ODD])))
    runs = st.lists(odd, max_size=3).map("".join)
    spaces = odd.filter(lambda char: char.isspace() or char == "\u3164")
    words = draw(WORDS)
    clean = " ".join(words)
    name = draw(runs)
    for index, word in enumerate(words):
        if index:  # between words: at least one space-like character, any invisibles around
            name += draw(runs) + draw(spaces) + draw(runs)
        name += word
    return clean, name + draw(runs)


@given(perturbed())
def test_any_whitespace_perturbation_reads_like_the_clean_name(pair):
    clean, name = pair
    assert looks_alike(name, clean)
    assert looks_alike(unicodedata.normalize("NFD", name), clean)
    assert lookalike_key(name) == lookalike_key(clean)


@given(perturbed(), WORD_CHARS)
def test_a_visible_difference_is_never_a_lookalike(pair, extra):
    clean, name = pair
    assert not looks_alike(name + extra, clean)
    assert not looks_alike(name, clean + " " + extra)
    assert not looks_alike(name, clean.replace(" ", "", 1)) or " " not in clean


@given(perturbed())
def test_plans_show_what_makes_a_lookalike_differ(pair):
    clean, name = pair
    assert visible(clean) == clean  # a clean name reads as it is
    if name != clean:
        assert visible(name) != visible(clean)
    shown = visible(name)
    assert all(not char.isspace() or char == " " for char in shown)
    assert "  " not in shown and shown == shown.strip()


def test_the_notation():
    assert spelt("Nhắc nợ ") == '"Nhắc nợ␠"'
    assert spelt(" Nhắc  nợ") == '"␠Nhắc␠␠nợ"'
    assert spelt("Nhắc\u00a0nợ") == '"Nhắc\\u00a0nợ"'
    assert spelt("Nhắc\u3000nợ\u200b") == '"Nhắc\\u3000nợ\\u200b"'
    assert spelt("a\tb\x1b") == '"a\\tb\\x1b"'  # controls as `shown` always wrote them
    assert spelt("a\u2420b") == '"a\\u2420b"'  # a literal ␠ is not taken for a space
    assert spelt("Nhắc nợ tháng") == '"Nhắc nợ tháng"'


def test_unicode_forms_are_the_same_name_and_alike():
    composed = unicodedata.normalize("NFC", "Nhắc nợ")
    decomposed = unicodedata.normalize("NFD", composed)
    assert same_name(composed, decomposed) and looks_alike(composed, decomposed + " ")
    assert not same_name(composed, composed + " ")
