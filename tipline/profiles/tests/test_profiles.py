import json

import pytest

from tipline.profiles.loader import (
    PROFILE_DIR,
    ProfileInvalid,
    load_profile,
    read_profile,
)
from tipline.profiles.models import Category

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["national-security", "whistleblowing"])
def test_shipped_profiles_are_valid_and_ask_about_behaviour(name):
    data = read_profile(name)
    for category in data["categories"]:
        fields = {field["name"]: field for field in category["fields"]}
        assert fields["what_happened"]["required"] is True
        assert "when_date" in fields
        assert "where" in fields
        people = fields["people"]["help"]
        assert "ethnicity, religion, nationality or opinions" in people["en"]
        assert "民族" in people["zh-hans"]


def test_reloading_a_profile_updates_categories_in_place(profile):
    before = set(Category.objects.values_list("pk", flat=True))
    load_profile("national-security")
    assert set(Category.objects.values_list("pk", flat=True)) == before


def test_a_profile_missing_a_translation_is_refused(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(
        'slug = "broken"\ncategories = []\n[name]\nen = "Broken"\n'
        '[intro]\nen = "x"\nzh-hans = "x"\n'
    )
    with pytest.raises(ProfileInvalid, match="name needs text in en, zh-hans"):
        load_profile(str(path))


def test_a_field_of_unknown_type_is_refused(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        'slug = "bad"\n[name]\nen = "B"\nzh-hans = "B"\n'
        '[intro]\nen = "x"\nzh-hans = "x"\n'
        '[[categories]]\nslug = "c"\n[categories.title]\nen = "t"\nzh-hans = "t"\n'
        '[categories.description]\nen = "d"\nzh-hans = "d"\n'
        '[[categories.fields]]\nname = "f"\ntype = "file"\n'
        '[categories.fields.label]\nen = "l"\nzh-hans = "l"\n'
    )
    with pytest.raises(ProfileInvalid, match="type must be one of"):
        load_profile(str(path))


SHIPPED = PROFILE_DIR / "national-security.toml"


def shipped_with(tmp_path, line, replacement):
    """The shipped national-security profile with its first ``line`` replaced."""
    text = SHIPPED.read_text(encoding="utf-8")
    assert line in text
    path = tmp_path / "hostile.toml"
    path.write_text(text.replace(line, replacement, 1), encoding="utf-8")
    return str(path)


def toml(value):
    return json.dumps(value)  # a JSON string or number is a TOML one too


@pytest.mark.parametrize(
    "slug",
    ["a/b", "../admin", "A", "a b", "a--b", "-a", "é", "a" * 41, "", 7, "a\n"],
)
def test_a_category_slug_that_is_not_a_url_slug_is_refused(tmp_path, slug):
    path = shipped_with(tmp_path, 'slug = "approach"', f"slug = {toml(slug)}")

    with pytest.raises(ProfileInvalid, match=r"category slug .* must be lower-case"):
        load_profile(path)
    assert not Category.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "homepage",
        "token",
        "proof",
        "csrfmiddlewaretoken",
        "files",
        "keep_originals",
        "draft_of",
        "next",
        "language",
        "category",
        "answers",
    ],
)
def test_a_question_named_like_an_internal_field_is_refused(tmp_path, name):
    path = shipped_with(tmp_path, 'name = "what_happened"', f"name = {toml(name)}")

    with pytest.raises(ProfileInvalid, match=f"field name '{name}' is reserved"):
        load_profile(path)
    assert not Category.objects.exists()


@pytest.mark.parametrize("name", ["Homepage", "what happened", "名前", "_x", "1a", ""])
def test_a_question_name_that_is_not_plain_is_refused(tmp_path, name):
    path = shipped_with(tmp_path, 'name = "what_happened"', f"name = {toml(name)}")

    with pytest.raises(ProfileInvalid, match="bad field name"):
        load_profile(path)


@pytest.mark.parametrize(
    ("line", "replacement", "message"),
    [
        ("max_length = 20000", 'max_length = "2000"', "max_length must be a whole"),
        ("max_length = 20000", "max_length = true", "max_length must be a whole"),
        ("max_length = 20000", "max_length = 10_000_000", "max_length must be a whole"),
        ("required = true", 'required = "yes"', "required must be true or false"),
        ("acknowledge_days = 7", 'acknowledge_days = "7"', "acknowledge_days must"),
        ("feedback_days = 90", "feedback_days = 0", "feedback_days must be a whole"),
        ('slug = "national-security"', 'slug = "Nat/Sec"', "profile slug 'Nat/Sec'"),
        ('value = "saw_myself"', 'value = ""', "choice value '' must be"),
        ('value = "told"', 'value = "saw_myself"', "a choice value is repeated"),
    ],
)
def test_a_mistyped_setting_is_refused_with_a_clear_message(
    tmp_path, line, replacement, message
):
    with pytest.raises(ProfileInvalid, match=message):
        load_profile(shipped_with(tmp_path, line, replacement))
    assert not Category.objects.exists()


def test_a_refused_profile_leaves_the_report_form_working(tmp_path, profile, client):
    path = shipped_with(tmp_path, 'name = "what_happened"', 'name = "homepage"')

    with pytest.raises(ProfileInvalid):
        load_profile(path)

    response = client.get("/report/")
    assert response.status_code == 200
    assert 'name="homepage"' in client.get("/report/approach/").content.decode()
