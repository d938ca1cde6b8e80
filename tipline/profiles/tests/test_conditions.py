"""Conditional questions in profile files: ``show_if`` (issue 15, point 2)."""

import copy

import pytest

from tipline.profiles.loader import ProfileInvalid, _check_profile, read_profile

BASE = read_profile("national-security")


def with_fields(fields):
    data = copy.deepcopy(BASE)
    data["categories"][0]["fields"] = fields
    return data


def label(text):
    return {"en": text, "zh-hans": text}


PLATFORM = {
    "name": "platform",
    "type": "choice",
    "label": label("Platform"),
    "choices": [
        {"value": "network", "label": label("Network")},
        {"value": "other", "label": label("Other")},
    ],
}


def which(show_if, **extra):
    return {
        "name": "which",
        "type": "text",
        "max_length": 200,
        "label": label("Which"),
        "show_if": show_if,
        **extra,
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            [which({"field": "platform", "values": ["other"]}), PLATFORM],
            "not a question before",
        ),
        (
            [PLATFORM, which({"field": "nowhere", "values": ["other"]})],
            "not a question before",
        ),
        (
            [PLATFORM, which({"field": "platform", "values": ["mars"]})],
            "are not choices of",
        ),
        ([PLATFORM, which({"field": "platform", "values": []})], "non-empty list"),
        ([PLATFORM, which({"field": "platform", "values": "other"})], "non-empty list"),
        (
            [PLATFORM, which({"field": "platform", "values": [{"x": 1}]})],
            "non-empty list",
        ),
        ([PLATFORM, which({"field": "platform"})], "must be {field ="),
        ([PLATFORM, which("platform=other")], "must be {field ="),
        (
            [PLATFORM, which({"field": "platform", "values": ["other"], "x": 1})],
            "must be {field =",
        ),
    ],
    ids=[
        "later",
        "unknown",
        "bad-value",
        "empty",
        "string",
        "not-text",
        "no-values",
        "text",
        "extra-key",
    ],
)
def test_bad_conditions_are_refused_with_a_clear_message(fields, message):
    with pytest.raises(ProfileInvalid, match=message):
        _check_profile(with_fields(fields))


def test_a_condition_on_a_text_question_is_refused():
    text = {"name": "platform", "type": "text", "max_length": 10, "label": label("P")}
    with pytest.raises(ProfileInvalid, match="must be a single choice"):
        _check_profile(
            with_fields([text, which({"field": "platform", "values": ["x"]})])
        )


def test_conditions_do_not_chain():
    first = which({"field": "platform", "values": ["other"]})
    first |= {"type": "choice", "choices": [{"value": "a", "label": label("A")}]}
    del first["max_length"]
    second = which({"field": "which", "values": ["a"]}) | {"name": "deeper"}
    with pytest.raises(ProfileInvalid, match="is itself conditional"):
        _check_profile(with_fields([PLATFORM, first, second]))


def test_a_good_condition_passes():
    _check_profile(
        with_fields([PLATFORM, which({"field": "platform", "values": ["other"]})])
    )


def test_reserved_names_include_the_forms_new_fields():
    for name in ("shown_questions", "held_files", "drop_held", "guardrail_confirmed"):
        field = {"name": name, "type": "text", "max_length": 10, "label": label("x")}
        with pytest.raises(ProfileInvalid, match="reserved"):
            _check_profile(with_fields([field]))
