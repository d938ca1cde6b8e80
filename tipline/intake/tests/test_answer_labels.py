"""Choice answers read as the reporter saw them, in the reader's language
(issue 11, point 9). The stored answer keeps the value; its label is looked up
from the questionnaire whenever it is shown."""

import copy
import json
from pathlib import Path

import pytest
from django.test import Client

from testkit.helpers import post_form, receipt_in, staff_login
from tipline.cases.models import Case
from tipline.intake import services
from tipline.profiles.loader import ProfileInvalid, read_profile
from tipline.profiles.models import Category

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"}
RETIRED = "(no longer offered in the questionnaire)"
WITNESS = {
    "name": "witnesses",
    "type": "multichoice",
    "required": False,
    "label": {"en": "Who else saw it?", "zh-hans": "还有谁看到了？"},
    "choices": [
        {"value": "guard", "label": {"en": "A guard", "zh-hans": "一名警卫"}},
        {"value": "driver", "label": {"en": "A driver", "zh-hans": "一名司机"}},
        {"value": "nobody", "label": {"en": "Nobody", "zh-hans": "没有其他人"}},
    ],
}


@pytest.fixture
def with_multichoice(profile):
    category = Category.objects.get(profile=profile, slug="approach")
    category.fields = [*category.fields, WITNESS]
    category.save()
    return category


def send(client, data):
    response = post_form(client, "/report/approach/", "/report/approach/", data)
    assert response.status_code == 200, response.content.decode()[:2000]
    return receipt_in(response.content.decode())


def followup_page(receipt, **headers) -> str:
    client = Client(enforce_csrf_checks=True, **headers)
    response = post_form(client, "/followup/", "/followup/", {"receipt": receipt})
    assert response.status_code == 200
    return response.content.decode()


def answer_block(html: str) -> str:
    return html[html.index('<dl class="answers">') :].split("</dl>")[0]


def staff_page(user, **headers) -> str:
    client = Client(enforce_csrf_checks=True, **headers)
    staff_login(client, user)
    return client.get(f"/staff/cases/{Case.objects.get().pk}/").content.decode()


def stored_answers(receipt) -> list[dict]:
    access = services.access_with_receipt(receipt)
    return services.read_own_report(access).answers


def test_reporter_and_staff_read_the_label_in_their_language(browser_client, owner):
    receipt = send(browser_client, {"what_happened": "x", "how_known": "saw_myself"})

    english = answer_block(followup_page(receipt))
    chinese = answer_block(followup_page(receipt, **ZH))
    staff = answer_block(staff_page(owner))
    staff_zh = answer_block(staff_page(owner, **ZH))

    assert "I saw it myself" in english
    assert "本人亲眼所见" in chinese
    assert "I saw it myself" in staff
    assert "本人亲眼所见" in staff_zh
    for block in (english, chinese, staff, staff_zh):
        assert "saw_myself" not in block
        assert RETIRED not in block
    # Stored as the value, not as words in one language.
    how_known = next(a for a in stored_answers(receipt) if a["name"] == "how_known")
    assert how_known["value"] == "saw_myself"
    assert how_known["type"] == "choice"


def test_a_value_no_longer_offered_is_shown_as_stored_and_marked(
    browser_client, owner, profile
):
    receipt = send(browser_client, {"what_happened": "x", "how_known": "told"})
    category = Category.objects.get(profile=profile, slug="approach")
    fields = copy.deepcopy(category.fields)
    how_known = next(f for f in fields if f["name"] == "how_known")
    how_known["choices"] = [c for c in how_known["choices"] if c["value"] != "told"]
    category.fields = fields
    category.save()

    for block in (
        answer_block(followup_page(receipt)),
        answer_block(staff_page(owner)),
    ):
        assert "told" in block
        assert RETIRED in block
        assert "I was told by someone" not in block


def test_a_removed_question_still_shows_its_answer(browser_client, owner, profile):
    receipt = send(browser_client, {"what_happened": "x", "how_known": "documents"})
    category = Category.objects.get(profile=profile, slug="approach")
    category.fields = [f for f in category.fields if f["name"] != "how_known"]
    category.save()

    block = answer_block(followup_page(receipt))
    assert "How do you know about this?" in block
    assert "documents" in block
    assert RETIRED in block


def test_reports_stored_before_answers_had_a_type_get_labels_too(
    browser_client, owner, profile
):
    from tipline.profiles.answers import shown_answers

    category = Category.objects.get(profile=profile, slug="approach")
    old = [{"name": "how_known", "label": {"en": "How?"}, "value": "saw_myself"}]
    old_text = [{"name": "where", "label": {"en": "Where?"}, "value": "saw_myself"}]

    [shown] = shown_answers(old, category)
    [text] = shown_answers(old_text, category)

    assert (shown.is_choice, shown.text) == (True, "I saw it myself")
    assert (text.is_choice, text.text) == (False, "saw_myself")


def test_multiple_choice_is_asked_stored_and_shown(
    browser_client, owner, with_multichoice
):
    form = browser_client.get("/report/approach/").content.decode()
    assert form.count('name="witnesses"') == 3
    assert 'type="checkbox"' in form

    receipt = send(
        browser_client, {"what_happened": "x", "witnesses": ["guard", "driver"]}
    )

    witnesses = next(a for a in stored_answers(receipt) if a["name"] == "witnesses")
    assert witnesses["value"] == ["guard", "driver"]
    english = answer_block(followup_page(receipt))
    chinese = answer_block(followup_page(receipt, **ZH))
    staff = answer_block(staff_page(owner))
    assert "<li>A guard</li>" in english
    assert "<li>A driver</li>" in english
    assert "<li>一名警卫</li>" in chinese
    assert "<li>A guard</li>" in staff
    assert "Nobody" not in english


def test_multiple_choice_refuses_a_value_not_offered(
    browser_client, owner, with_multichoice
):
    response = post_form(
        browser_client,
        "/report/approach/",
        "/report/approach/",
        {"what_happened": "x", "witnesses": ["guard", "<script>"]},
    )

    assert response.status_code == 400
    assert "Select a valid choice. &lt;script&gt; is not one of the available" in (
        response.content.decode()
    )


def test_the_api_follow_up_gives_labels_and_values(owner, with_multichoice):
    app = Client(enforce_csrf_checks=True)
    token = app.get("/api/v1/tokens").json()["report"]
    answers = {"what_happened": "x", "how_known": "told", "witnesses": ["nobody"]}
    sent = app.post(
        "/api/v1/reports",
        {"category": "approach", "token": token, "answers": json.dumps(answers)},
    )
    assert sent.status_code == 201, sent.content
    receipt = sent.json()["receipt"]

    english = app.post(
        "/api/v1/followup", {"receipt": receipt}, content_type="application/json"
    ).json()
    chinese = app.post(
        "/api/v1/followup",
        {"receipt": receipt},
        content_type="application/json",
        headers={"accept-language": "zh-Hans"},
    ).json()

    by_label = {a["label"]: a for a in english["answers"]}
    assert by_label["How do you know about this?"]["value"] == "I was told by someone"
    assert by_label["How do you know about this?"]["choices"] == [
        {"value": "told", "label": "I was told by someone", "retired": False}
    ]
    assert by_label["Who else saw it?"]["value"] == "Nobody"
    zh = {a["label"]: a for a in chinese["answers"]}
    assert zh["您是如何得知此事的？"]["value"] == "由他人告知"
    assert zh["还有谁看到了？"]["value"] == "没有其他人"


def test_a_profile_file_with_a_multiple_choice_loads(tmp_path: Path):
    shipped = read_profile("whistleblowing")
    shipped["categories"][0]["fields"].append(WITNESS)
    path = tmp_path / "custom.toml"
    path.write_text(to_toml(shipped), encoding="utf-8")

    loaded = read_profile(str(path))
    assert loaded["categories"][0]["fields"][-1]["type"] == "multichoice"

    del shipped["categories"][0]["fields"][-1]["choices"]
    path.write_text(to_toml(shipped), encoding="utf-8")
    with pytest.raises(ProfileInvalid, match="a choice field needs choices"):
        read_profile(str(path))


def to_toml(data) -> str:
    """A tiny TOML writer for the profile shape (strings, numbers, tables, lists)."""
    lines: list[str] = []

    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, list) and all(not isinstance(i, dict) for i in v):
            return "[" + ", ".join(value(i) for i in v) + "]"
        if isinstance(v, dict):
            inner = ", ".join(f'"{k}" = {value(i)}' for k, i in v.items())
            return "{" + inner + "}"
        if isinstance(v, list):
            return "[" + ", ".join(value(i) for i in v) + "]"
        raise TypeError(v)

    for key, v in data.items():
        lines.append(f'"{key}" = {value(v)}')
    return "\n".join(lines) + "\n"


def test_a_list_sent_for_a_text_question_is_kept_whole(owner, with_multichoice):
    app = Client(enforce_csrf_checks=True)
    token = app.get("/api/v1/tokens").json()["report"]
    answers = {"what_happened": ["first part", "second part"], "witnesses": "guard"}
    sent = app.post(
        "/api/v1/reports",
        {"category": "approach", "token": token, "answers": json.dumps(answers)},
    )

    assert sent.status_code == 201, sent.content
    stored = {a["name"]: a["value"] for a in stored_answers(sent.json()["receipt"])}
    assert "first part" in stored["what_happened"]
    assert "second part" in stored["what_happened"]
    assert stored["witnesses"] == ["guard"]
