"""The guardrail's check (issue 15, point 3): a protected word and no behaviour."""

import pytest

from tipline.profiles.guardrail import (
    GuardrailInvalid,
    clean_lists,
    needs_reminder,
)
from tipline.profiles.loader import read_profile

LANGUAGES = ["en", "zh-hans"]
LISTS = clean_lists(read_profile("national-security")["guardrail"], LANGUAGES)


@pytest.mark.parametrize(
    "text",
    [
        "My neighbour is Muslim and keeps to himself.",
        "MY NEIGHBOUR IS MUSLIM.",
        "My neighbour is ｍｕｓｌｉｍ.",  # full-width letters
        "My neighbour is Mus\u200blim.",  # a zero-width space inside
        "The man looked Chinese.",
        "The Muslims next door.",  # muslim* matches any ending
        "我的邻居是穆斯林。",
        "那个人看起来像外国人",  # Chinese without spaces
        "那个人看起来像ｏ外国人",
    ],
)
def test_a_protected_word_without_behaviour_needs_a_reminder(text):
    assert needs_reminder([text], LISTS) is True


@pytest.mark.parametrize(
    "text",
    [
        "A Russian recruiter asked for the floor plans.",
        "The Muslim visitor photographed the gate.",
        "一名外国人拍摄了大门。",
        "外国人要求我提供图纸",
        "The farmer ploughs arable land.",  # "arab" is not inside "arable"
        "He was jewelled and dressed in turbans of silk offered to guests.",
        "Someone left a parcel at the gate.",  # nothing protected at all
        "",
        "   ",
    ],
)
def test_behaviour_or_no_protected_word_needs_no_reminder(text):
    assert needs_reminder([text], LISTS) is False


def test_words_inside_other_english_words_do_not_count():
    lists = clean_lists({"protected": {"en": ["arab"]}}, LANGUAGES)
    assert needs_reminder(["arable farmland"], lists) is False
    assert needs_reminder(["an arab man"], lists) is True
    assert needs_reminder(["an Arab-looking man"], lists) is True


def test_any_text_of_the_report_can_carry_the_behaviour():
    assert (
        needs_reminder(["He is Iranian.", "He photographed the lab."], LISTS) is False
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"protected": {"en": [""]}}, "empty"),
        ({"protected": {"en": ["   "]}}, "empty"),
        ({"protected": {"en": ["*"]}}, "empty"),
        ({"protected": {"en": ["a" * 61]}}, "at most 60"),
        ({"protected": {"en": ["ph*oto"]}}, "only at its end"),
        ({"protected": {"en": [1]}}, "is not a word"),
        ({"protected": {"en": "muslim"}}, "at most 400 words"),
        ({"protected": {"en": ["w"] * 401}}, "at most 400 words"),
        ({"protected": {"fr": ["x"]}}, "one list per language"),
        ({"other": {}}, "the guardrail has lists"),
        (["muslim"], "the guardrail has lists"),
    ],
)
def test_bad_lists_are_refused(raw, message):
    with pytest.raises(GuardrailInvalid, match=message):
        clean_lists(raw, LANGUAGES)


def test_lists_are_normalised_and_without_repeats():
    cleaned = clean_lists(
        {"protected": {"en": ["Muslim", " MUSLIM ", "ｍｕｓｌｉｍ", "Jew"]}}, LANGUAGES
    )
    assert cleaned["protected"]["en"] == ["muslim", "jew"]
    assert cleaned["behaviour"] == {"en": [], "zh-hans": []}


def test_the_shipped_lists_have_both_languages():
    for name in ("national-security", "whistleblowing"):
        lists = read_profile(name)["guardrail"]
        for kind in ("protected", "behaviour"):
            assert lists[kind]["en"]
            assert lists[kind]["zh-hans"]
