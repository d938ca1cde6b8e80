import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tipline.triage import similarity
from tipline.triage.similarity import fingerprint, normalize

KEY = bytes(range(32))

ENGLISH = (
    "On Tuesday evening a man approached me in the car park of the research "
    "institute where I work. He said his name was Mark and that he worked for a "
    "consultancy in Vienna. He asked detailed questions about the satellite project "
    "and who leads the testing team. He offered me two thousand euros for a short "
    "written summary of our test schedule. When I refused he gave me his card and "
    "said he would call again next week. He drove away in a grey Volvo estate with "
    "a foreign number plate. I have kept the business card in my desk drawer."
)
# The same report told again: sentences in another order, a few words changed.
ENGLISH_RETOLD = (
    "He asked detailed questions about the satellite programme and who leads the "
    "test team. On Tuesday evening a man came up to me in the car park of the "
    "research institute where I work. He offered me two thousand euros for a short "
    "summary of our test schedule. He said his name was Mark and that he worked for "
    "a consultancy in Vienna. I have kept the business card in my desk drawer. When "
    "I refused he gave me his card and said he would call me again next week. He "
    "drove away in a grey Volvo estate with a foreign number plate."
)
ENGLISH_OTHER = (
    "Last month a woman who introduced herself as a journalist contacted me on "
    "LinkedIn. She wanted to interview me about my work at the shipyard and asked "
    "about the new submarine contract. Later she offered to pay for a trip to a "
    "conference in Singapore. I found it strange that she knew the names of my "
    "colleagues. Her profile was deleted a few days after I declined."
)
CHINESE = (
    "上周二晚上，一名男子在我工作的研究所停车场主动和我搭话。他自称姓王，在维也纳"
    "一家咨询公司工作。他详细询问了卫星项目的情况，还问测试团队由谁负责。他提出给我"
    "两万元，让我写一份关于测试进度的简短材料。我拒绝后，他把名片塞给我，说下周还会"
    "再联系我。他开着一辆挂外地牌照的灰色沃尔沃离开了。名片我放在办公桌抽屉里。"
)
CHINESE_RETOLD = (
    "他详细询问了卫星工程的情况，还问测试团队由谁负责。上周二晚上，一名男子在我工作"
    "的研究所停车场主动找我搭话。他自称姓王，在维也纳一家咨询公司上班。我拒绝后，他"
    "把名片塞给我，说下周还会联系我。他提出给我两万元，让我写一份关于测试进度的简短"
    "材料。名片我放在办公桌抽屉里。他开着一辆挂外地牌照的灰色沃尔沃离开了。"
)
CHINESE_OTHER = (
    "上个月，一名自称记者的女子在领英上联系我。她想就我在造船厂的工作采访我，还问起"
    "新潜艇合同的情况。后来她提出可以为我支付去新加坡参加会议的费用。我觉得奇怪的是，"
    "她知道我几位同事的名字。我拒绝后没几天，她的账号就被注销了。"
)


def estimate(a: str, b: str, key: bytes = KEY) -> float:
    return similarity.similarity(
        fingerprint(a, key=key).signature, fingerprint(b, key=key).signature
    )


@pytest.mark.parametrize(
    ("original", "retold"), [(ENGLISH, ENGLISH_RETOLD), (CHINESE, CHINESE_RETOLD)]
)
def test_a_retold_report_is_a_likely_duplicate(original, retold):
    assert estimate(original, retold) >= similarity.THRESHOLD + 0.1


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (ENGLISH, ENGLISH_OTHER),
        (CHINESE, CHINESE_OTHER),
        (ENGLISH_RETOLD, ENGLISH_OTHER),
        (CHINESE_RETOLD, CHINESE_OTHER),
    ],
)
def test_another_report_on_the_same_topic_is_not_a_duplicate(one, other):
    assert estimate(one, other) < 0.2


@pytest.mark.parametrize("text", [ENGLISH, ENGLISH[:90], CHINESE, CHINESE[:40]])
def test_the_estimate_is_close_to_the_true_overlap_for_long_and_short_text(text):
    half = len(text) // 2
    variant = text[:half] + text[half:][::-1]
    ours, theirs = similarity.shingles(text), similarity.shingles(variant)
    exact = len(ours & theirs) / len(ours | theirs)

    estimates = [estimate(text, variant, key=bytes([n]) * 32) for n in range(40)]

    assert abs(sum(estimates) / len(estimates) - exact) < 0.03


def test_identical_text_is_similar_whatever_its_width_case_and_spacing():
    shouted = ENGLISH.upper().replace(". ", " !  ")
    full_width = CHINESE.replace("2", "\uff12")

    assert estimate(ENGLISH, shouted) == 1.0
    assert estimate(CHINESE, full_width) == 1.0
    assert fingerprint(ENGLISH, key=KEY) == fingerprint(ENGLISH, key=KEY)


def test_normalize_folds_width_and_case_and_drops_punctuation():
    assert normalize("ＨＥＬＬＯ，  World!\n") == "hello world"
    assert normalize("我看见了。他走了！") == "我看见了 他走了"
    assert normalize("e-mail_address: x@y") == "e mail address x y"


def test_chinese_is_cut_into_bigrams_within_each_run():
    assert similarity.shingles("我看见了。他") == {
        "我看".encode(),
        "看见".encode(),
        "见了".encode(),
        "他".encode(),
    }
    assert similarity.shingles("Mark在维也纳 office") == {
        b"mark",
        "在维".encode(),
        "维也".encode(),
        "也纳".encode(),
        b"offic",
        b"ffice",
    }


def test_a_fingerprint_has_the_documented_shape():
    found = fingerprint(ENGLISH, key=KEY)

    assert len(found.signature) == 4 * similarity.K
    assert len(found.bands) == similarity.BANDS
    assert len(set(found.bands)) == similarity.BANDS
    assert all(-(2**63) <= band < 2**63 for band in found.bands)


@pytest.mark.parametrize("text", ["", "  ", "!!!", "Help.", "有人偷拍。"])
def test_empty_or_short_text_can_never_match(text):
    assert fingerprint(text, key=KEY).bands == []


def test_empty_signatures_resemble_nothing():
    empty = fingerprint("", key=KEY).signature

    assert empty == b""
    assert similarity.similarity(empty, empty) == 0.0
    assert similarity.similarity(empty, fingerprint(ENGLISH, key=KEY).signature) == 0.0


def test_fingerprints_under_another_key_share_nothing():
    ours = fingerprint(ENGLISH, key=KEY)
    theirs = fingerprint(ENGLISH, key=secrets.token_bytes(32))

    assert set(ours.bands).isdisjoint(theirs.bands)
    assert similarity.similarity(ours.signature, theirs.signature) == 0.0


@pytest.mark.parametrize("text", [ENGLISH, CHINESE])
def test_no_piece_of_the_text_is_in_the_fingerprint(text):
    found = fingerprint(text, key=KEY)
    stored = found.signature + b"".join(
        band.to_bytes(8, "little", signed=True) for band in found.bands
    )

    # Shorter byte strings turn up in 640 random bytes by chance.
    pieces = similarity.shingles(text) | {w.encode() for w in normalize(text).split()}
    for piece in pieces:
        assert len(piece) < 4 or piece not in stored


def test_the_key_is_derived_from_the_pepper(settings):
    settings.RECEIPT_PEPPER = "a" * 48
    first = similarity.similarity_key()

    assert len(first) == 32
    assert similarity.similarity_key() == first
    settings.RECEIPT_PEPPER = "b" * 48
    assert similarity.similarity_key() != first


@given(text=st.text(max_size=2000))
def test_any_text_gives_a_usable_fingerprint(text):
    found = fingerprint(text, key=KEY)

    assert len(found.signature) in (0, 4 * similarity.K)
    assert len(found.bands) in (0, similarity.BANDS)
    assert all(-(2**63) <= band < 2**63 for band in found.bands)
    assert 0.0 <= similarity.similarity(found.signature, found.signature) <= 1.0
