"""Profile-level lists in profile files: ``[[elsewhere]]``, ``[guardrail]`` and a
category's ``files`` texts (issue 15, points 2 and 3)."""

import copy

import pytest

from tipline.profiles.loader import ProfileInvalid, _check_profile, read_profile

BASE = read_profile("national-security")
TEXT = {"en": "x", "zh-hans": "x"}


def changed(**top):
    data = copy.deepcopy(BASE)
    data.update(top)
    return data


@pytest.mark.parametrize(
    ("elsewhere", "message"),
    [
        ({"topic": TEXT}, "a list of at most 20"),
        ([{"topic": TEXT}], "needs a topic and a where"),
        ([{"topic": TEXT, "where": TEXT, "url": "x"}], "needs a topic and a where"),
        ([{"topic": TEXT, "where": {"en": "only English"}}], "needs text in"),
        ([{"topic": TEXT, "where": {"en": "x" * 1001, "zh-hans": "x"}}], "1000"),
        ([{"topic": TEXT, "where": TEXT}] * 21, "a list of at most 20"),
        (["scams"], "needs a topic and a where"),
    ],
)
def test_bad_elsewhere_lists_are_refused(elsewhere, message):
    with pytest.raises(ProfileInvalid, match=message):
        _check_profile(changed(elsewhere=elsewhere))


def test_bad_guardrail_lists_are_refused():
    with pytest.raises(ProfileInvalid, match=r"guardrail: protected\.en: a word is"):
        _check_profile(changed(guardrail={"protected": {"en": [""]}}))


def test_bad_files_texts_are_refused():
    data = copy.deepcopy(BASE)
    data["categories"][0]["files"] = {"label": TEXT, "colour": TEXT}
    with pytest.raises(ProfileInvalid, match="only a label and a help"):
        _check_profile(data)
    data["categories"][0]["files"] = {"label": {"en": "Screenshots"}}
    with pytest.raises(ProfileInvalid, match="needs text in"):
        _check_profile(data)


def test_shipped_profiles_say_what_belongs_elsewhere_in_both_languages():
    for name in ("national-security", "whistleblowing"):
        items = read_profile(name)["elsewhere"]
        assert len(items) >= 4
        assert all(item["where"]["zh-hans"] for item in items)


def test_online_approach_sits_next_to_approach_and_asks_nothing_about_you():
    slugs = [category["slug"] for category in BASE["categories"]]
    assert slugs.index("online-approach") == slugs.index("approach") + 1
    online = BASE["categories"][slugs.index("online-approach")]
    names = [field["name"] for field in online["fields"]]
    for name in ("platform", "platform_other", "profile_name", "profile_link"):
        assert name in names
    assert not {"employer", "job", "clearance"} & set(names)
    assert "not your name, your employer, your job" in online["description"]["en"]
    assert online["files"]["label"]["en"] == "Screenshots (optional)"
