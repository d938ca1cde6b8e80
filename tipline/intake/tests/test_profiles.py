import pytest

from tipline.intake.models import Category
from tipline.intake.profiles import ProfileInvalid, load_profile, read_profile

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
