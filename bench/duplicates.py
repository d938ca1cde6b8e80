"""Near-duplicate detection of report text (tipline.triage.similarity, .duplicates).

In process, on a throwaway SQLite database in a temporary directory:

- ``find_similar`` latency, p50 and p99 over 200 lookups, with 10k, 100k and 1M
  stored fingerprints: it must stay flat, because the lookup is an index query;
- precision and recall on generated Chinese and English reports with known
  duplicates (sentences reordered, words inserted, deleted or replaced);
- the cost of fingerprinting 1 KB of text, as a ratio to encrypting the same bytes
  (tipline.crypto.encrypt) and to one BLAKE2b of them, measured in the same run.

The generated reports are on one topic: they share vocabulary and sentence shapes
but not their details (people, places, times, numbers). Besides 2,000 of them, the
stored rows are filler written by SQLite itself (random band values and signatures)
with foreign key checks off, so no case rows are needed: filler stands for unrelated
reports, which share no band with anything, and makes the tables and indexes as
large as real ones.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import random
import statistics
import string
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import median_seconds, write_result

if TYPE_CHECKING:
    from tipline.triage.similarity import Fingerprint

SIZES = (10_000, 100_000, 1_000_000)
LOOKUPS = 200
ORIGINALS = 1_000  # generated reports stored per language
VARIANTS = 100  # duplicate queries per language and kind of change
UNRELATED = 200  # new reports per language, with no stored duplicate
SEED = 20261129
PROFILES = Path(__file__).resolve().parent.parent / "tipline" / "profiles" / "data"

COMMA = "\uff0c"  # the full-width comma, escaped for ruff (RUF001)
STOP = "\u3002"


def words(text: str) -> list[str]:
    return text.split("|")


EN_FRAMES = words("|I saw that |I noticed that |{name} told me that |I think that ")
EN_FRAMES += words(
    "It seemed to me that |A colleague says that |I am fairly sure that "
)
EN_OPENERS = words("|last week |on {day} |around {clock} |later |the next morning ")
EN_SUBJECTS = words("he|she|{name}|the same person|my colleague {name}|{person}")
EN_PLACES_AT = words("| at {place}| near {place}| outside {place}| in {place}")
EN_TIMES = words("| on {day}| at about {clock}| for about {minutes} minutes| again")
EN_PREDICATES = words(
    "asked me about {thing}|offered me {offer}|took photographs of {place}"
    "|tried to find out {thing}|wanted a copy of {thing}"
    "|plugged {device} into a computer in room {room}"
    "|waited in a {colour} {make} with the registration {plate}"
    "|called me {count} times from {phone}|said the job was with {company} in {city}"
    "|used the badge of {name} to get in|paid for my dinner and the hotel"
    "|followed me home|gave me a business card from {company}"
    "|asked whether I could bring {thing} to {city}|flew a drone over {place}"
    "|spoke {language} on the phone|left {device} behind in room {room}"
    "|told me that {name} had already agreed to help"
    "|sent me messages on {app} about {thing}|watched the shift change"
    "|asked who has access to {thing}|promised {offer} if I helped"
    "|wrote down the number plates of cars entering {place}"
    "|knew details about {thing} that are not public"
    "|asked me to install an app on my work phone|invited me to a seminar in {city}"
    "|copied {thing} onto {device}|measured the fence around {place}"
    "|asked about my security clearance|mentioned knowing where {name} lives"
    "|parked across the road every evening|tested the handle of the server room door"
    "|asked for a tour of {place}|offered to fix my laptop for free"
    "|posted photos of {place} on a forum|borrowed my access card for an hour"
    "|kept asking when the inspectors arrive|printed {thing} late at night"
    "|brought a friend who never gave a name|paid {count} thousand in cash"
)
# People, places and things are made of two halves, for variety.
EN_PEOPLE = (
    words(
        "a man|a woman|a young man|an older woman|a tall man|a student|a contractor"
        "|a visitor|a driver|a consultant|a former colleague|a neighbour"
    ),
    words(
        "in their forties|with a laptop bag|with grey hair|from a supplier"
        "|working on the heating|I had not seen before|claiming to be a journalist"
        "|who said they were a recruiter|in a dark jacket|from the exchange programme"
        "|claiming to be from an embassy|with a foreign accent"
    ),
)
EN_PLACES = (
    words(
        "the main gate of|the car park behind|the loading bay of|the reception of"
        "|the canteen of|the fence around|the back entrance of|the lobby of"
        "|the garage under|the visitor centre of|a cafe opposite|the bus stop outside"
    ),
    words(
        "the research campus|the shipyard|the ministry|the port|the data centre"
        "|our laboratory|the airfield|the power station|the university"
        "|the railway depot|the trade fair|the naval base|the chip factory"
        "|the satellite ground station"
    ),
)
EN_THINGS = (
    words(
        "the floor plan|the access badges|the names of the engineers"
        "|the delivery schedule|the test results|the network diagram|the passwords"
        "|the specifications|the security procedures|the staff list|the budget"
        "|the supplier contracts"
    ),
    words(
        "of the new radar|for the submarine contract|of the control room"
        "|of the satellite project|for the night shift|of the cooling system"
        "|of the border scanners|of the prototype drone|of the cipher machines"
        "|for the export licences"
    ),
)
EN_OFFERS = words(
    "a well paid consultancy contract|free trips abroad|help with a visa"
    "|an expensive watch|cash in an envelope|a job in Singapore|a loan with no interest"
)
EN_DEVICES = words(
    "a USB stick|a small grey box|a long lens camera|a phone on a tripod"
)
EN_FIRST = words("Anna|Ben|Carla|David|Elena|Frank|Grace|Hugo|Irene|James|Karin|Leo")
EN_FIRST += words("Maria|Nina|Oscar|Paula|Rosa|Samuel|Tara|Victor|Wendy|Yusuf|Zoe")
EN_LAST = words("Adams|Baker|Clarke|Dubois|Evans|Fischer|Garcia|Hughes|Ivanov|Jensen")
EN_LAST += words("Kowalski|Lindqvist|Moreau|Novak|Okafor|Petrov|Quinn|Rossi|Schmidt")
EN_FILLER = words("really|also|then|maybe|still|again|just|even|quite|later|very")

ZH_FRAMES = words("|我看到|我注意到|{name}告诉我|我感觉|同事说|我可以肯定")
ZH_OPENERS = words("|上周|{day}|{clock}左右|后来|这个月|第二天早上|那天")
ZH_OPENERS += [opener + COMMA for opener in ZH_OPENERS if opener]
ZH_SUBJECTS = words("他|她|对方|{name}|同事{name}|{person}")
ZH_PLACES_AT = words("|在{place}|在{place}附近|在{place}外面")
ZH_PREDICATES = words(
    "向我打听{thing}|提出给我{offer}|拍摄了{place}|想要一份{thing}"
    "|把{device}插到{room}房间的电脑上|坐在一辆车牌为{plate}的{colour}{make}里"
    "|用{phone}给我打了{count}次电话|自称在{city}的{company}公司工作"
    "|用{name}的门禁卡进入大楼|替我付了饭钱和房费|一路跟着我回家"
    "|给了我一张{company}公司的名片|问我能不能把{thing}带到{city}"
    "|用无人机在{place}上空拍照|用{language}打电话|把{device}落在了{room}房间"
    "|说{name}已经答应帮忙|通过{app}向我询问{thing}|观察换班情况长达{minutes}分钟"
    "|问谁能接触到{thing}|承诺只要我帮忙就给我{offer}|记下了进出{place}的车牌号"
    "|知道一些没有公开的{thing}|让我在工作手机上安装一个软件"
    "|邀请我去{city}参加研讨会|把{thing}拷贝到{device}里|测量了{place}的围栏"
    "|问起我的涉密资格|说自己知道{name}住在哪里"
    "|每天晚上都把车停在马路对面|试着拧了拧机房的门把手|要求参观{place}"
    "|说可以免费帮我修电脑|在论坛上发布了{place}的照片|借走了我的门禁卡一个小时"
    "|一直打听检查组什么时候来|深夜打印了{thing}|带来一个始终不肯透露姓名的朋友"
    "|用现金付了{count}千元"
)
ZH_PEOPLE = (
    words(
        "四十岁左右的|背着电脑包的|头发花白的|供应商派来的|负责维修暖气的|从未见过的"
        "|自称记者的|自称猎头的|穿着深色夹克的|交换项目的|自称大使馆工作人员的"
        "|带外地口音的"
    ),
    words("男子|女子|年轻人|老人|学生|施工人员|访客|司机|顾问|前同事|邻居"),
)
ZH_PLACES = (
    words(
        "研究园区|造船厂|部委大楼|港口|数据中心|实验室|机场|发电厂|大学|铁路车辆段"
        "|展会|海军基地|芯片工厂|卫星地面站"
    ),
    words(
        "正门|后面的停车场|装卸区|前台|食堂|围栏外|后门|大堂|地下车库|访客中心"
        "|对面的咖啡馆|门口的公交站"
    ),
)
ZH_THINGS = (
    words(
        "新雷达|潜艇合同|控制室|卫星项目|夜班|冷却系统|边检设备|无人机样机|密码机"
        "|出口许可"
    ),
    words(
        "平面图|门禁卡|工程师名单|交付时间|测试结果|网络拓扑|密码|技术参数|安保流程"
        "|人员名单|预算|供应商合同"
    ),
)
ZH_OFFERS = words(
    "高额的咨询费|免费出国旅游|帮忙办签证|一块名贵手表|装着现金的信封"
    "|新加坡一家公司的职位|无息贷款"
)
ZH_DEVICES = words("一个U盘|一个灰色小盒子|长焦相机|架在三脚架上的手机")
ZH_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭")
ZH_GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂文辉鑫宇浩然晨")
ZH_FILLER = words("其实|然后|大概|好像|也|还|再次|当时|确实")
ZH_CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主"


@dataclass(frozen=True)
class Language:
    """What the generator needs to write reports in one language."""

    code: str
    parts: tuple[list[str], ...]  # chosen in order and concatenated
    details: Callable[[random.Random], dict[str, str]]
    end: str  # after each sentence
    space: str  # between words
    filler: list[str]


def pair(rng: random.Random, halves: tuple[list[str], list[str]], join: str) -> str:
    return rng.choice(halves[0]) + join + rng.choice(halves[1])


def en_details(rng: random.Random) -> dict[str, str]:
    letters = "".join(rng.choices(string.ascii_uppercase, k=4))
    return {
        "person": pair(rng, EN_PEOPLE, " "),
        "place": pair(rng, EN_PLACES, " "),
        "thing": pair(rng, EN_THINGS, " "),
        "offer": rng.choice(EN_OFFERS),
        "device": rng.choice(EN_DEVICES),
        "name": f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}",
        "day": f"{rng.choice(words('Monday|Tuesday|Friday|Saturday'))} the "
        f"{rng.randint(1, 28)}th",
        "clock": f"{rng.randint(6, 22)}:{rng.randint(0, 59):02d}",
        "colour": rng.choice(words("black|white|silver|dark blue|red|grey")),
        "make": rng.choice(words("Toyota|Volvo|Skoda|Ford|Audi|Nissan|Kia")),
        "plate": f"{letters[:2]}-{rng.randint(100, 999)}-{letters[2:]}",
        "app": rng.choice(words("WhatsApp|Signal|Telegram|WeChat|LinkedIn")),
        "company": rng.choice(words("Nordic|Apex|Horizon|Meridian|Polar"))
        + rng.choice(words(" Consulting| Trading| Research| Logistics")),
        "city": rng.choice(words("Vienna|Dubai|Istanbul|Warsaw|Lisbon|Hanoi")),
        "minutes": str(rng.randint(5, 90)),
        "room": f"{rng.randint(1, 6)}.{rng.randint(1, 40):02d}",
        "count": str(rng.randint(3, 60)),
        "phone": f"+{rng.randint(30, 99)} {rng.randint(100, 999)} "
        f"{rng.randint(1000, 9999)} {rng.randint(100, 999)}",
        "language": rng.choice(words("Russian|Mandarin|Farsi|Arabic|French")),
    }


def zh_details(rng: random.Random) -> dict[str, str]:
    def number(low: int, high: int) -> str:
        return str(rng.randint(low, high))

    return {
        "person": "一名" + pair(rng, ZH_PEOPLE, ""),
        "place": pair(rng, ZH_PLACES, ""),
        "thing": pair(rng, ZH_THINGS, "的"),
        "offer": rng.choice(ZH_OFFERS),
        "device": rng.choice(ZH_DEVICES),
        "name": rng.choice(ZH_SURNAMES) + "".join(rng.choices(ZH_GIVEN, k=2)),
        "day": f"{number(1, 12)}月{number(1, 28)}日",
        "clock": f"{number(6, 22)}点{number(0, 59)}分",
        "colour": rng.choice(words("黑色|白色|银色|深蓝色|红色|灰色")),
        "make": rng.choice(words("丰田|大众|别克|本田|奥迪|比亚迪")),
        "plate": rng.choice("京沪粤苏浙鲁川")
        + rng.choice("ABCDE")
        + number(10000, 99999),
        "app": rng.choice(words("微信|QQ|短信|邮件|领英")),
        "company": rng.choice(words("远景|华信|海达|博通|恒远"))
        + rng.choice(words("咨询|贸易|科技|物流")),
        "city": rng.choice(words("维也纳|迪拜|伊斯坦布尔|华沙|里斯本|河内")),
        "minutes": number(5, 90),
        "room": number(100, 640),
        "count": number(3, 60),
        "phone": f"1{number(30, 99)}{number(1000, 9999)}{number(1000, 9999)}",
        "language": rng.choice(words("俄语|英语|波斯语|阿拉伯语|法语")),
    }


ENGLISH = Language(
    "en",
    (EN_FRAMES, EN_OPENERS, EN_SUBJECTS, [" "], EN_PREDICATES, EN_PLACES_AT, EN_TIMES),
    en_details,
    ". ",
    " ",
    EN_FILLER,
)
CHINESE = Language(
    "zh",
    (ZH_FRAMES, ZH_OPENERS, ZH_SUBJECTS, ZH_PLACES_AT, ZH_PREDICATES),
    zh_details,
    STOP,
    "",
    ZH_FILLER,
)


def report(language: Language, rng: random.Random, size: int) -> list[str]:
    """The sentences of one report of about ``size`` bytes of UTF-8: a cast of
    details for the report, varied now and then from sentence to sentence."""
    cast = language.details(rng)
    sentences: list[str] = []
    length = 0
    while length < size:
        details = cast | language.details(rng) if rng.random() < 0.4 else cast
        # Parts that may be empty are left out two times in three.
        shape = "".join(
            rng.choice(part) if part[0] or rng.random() < 1 / 3 else ""
            for part in language.parts
        )
        sentence = shape.format(**details) + language.end
        sentences.append(sentence[0].upper() + sentence[1:])
        length += len(sentence.encode())
    return sentences


def edited(
    language: Language, sentences: list[str], rng: random.Random, edits: int
) -> str:
    """``edits`` random word insertions, deletions and replacements (of characters
    in Chinese, which has no spaces)."""
    joined = "".join(sentences)
    units = joined.split(" ") if language.space else list(joined)
    for _ in range(edits):
        at = rng.randrange(len(units))
        kind = rng.randrange(3)
        if kind == 0:
            units.insert(at, rng.choice(language.filler))
        elif kind == 1:
            del units[at]
        else:
            units[at] = rng.choice(language.filler if language.space else ZH_CHARS)
    return language.space.join(units)


def shuffled(sentences: list[str], rng: random.Random) -> list[str]:
    return rng.sample(sentences, len(sentences))


# Kinds of duplicate: how a resubmitted or retold report differs from the stored one.
CHANGES: dict[str, Callable[[Language, list[str], random.Random], str]] = {
    "sentences reordered": lambda lang, s, rng: "".join(shuffled(s, rng)),
    "5 words edited": lambda lang, s, rng: edited(lang, s, rng, 5),
    "reordered + 5 words edited": lambda lang, s, rng: edited(
        lang, shuffled(s, rng), rng, 5
    ),
    "reordered + 20 words edited": lambda lang, s, rng: edited(
        lang, shuffled(s, rng), rng, 20
    ),
}


# --- The database -----------------------------------------------------------------

BANDS_TABLE = "triage_fingerprintband"
SIGNATURES_TABLE = "triage_textfingerprint"
FILLER_SIGNATURES = """
    WITH RECURSIVE n(i) AS (SELECT %s UNION ALL SELECT i + 1 FROM n WHERE i < %s)
    INSERT INTO triage_textfingerprint (case_id, signature)
    SELECT i, randomblob(%s) FROM n
"""
FILLER_BANDS = """
    WITH RECURSIVE n(i) AS (SELECT %s UNION ALL SELECT i + 1 FROM n WHERE i < %s),
    band(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM band WHERE j < %s)
    INSERT INTO triage_fingerprintband (case_id, value)
    SELECT i, random() FROM n, band
"""


def start_django(data_dir: Path) -> None:
    """Tipline's own settings on a fresh SQLite database under ``data_dir``."""
    for name in [name for name in os.environ if name.startswith("TIPLINE_")]:
        del os.environ[name]
    os.environ["TIPLINE_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tipline.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    from django.db import connection

    from tipline.triage.models import FingerprintBand, TextFingerprint

    assert FingerprintBand._meta.db_table == BANDS_TABLE
    assert TextFingerprint._meta.db_table == SIGNATURES_TABLE
    # Fingerprint rows refer to case ids that have no case row: the bench stores
    # fingerprints only.
    if not connection.disable_constraint_checking():
        raise RuntimeError("could not turn off foreign key checks")


def store_originals(texts: list[str]) -> dict[int, Fingerprint]:
    """Fingerprint and store ``texts`` as cases 1, 2, ... with the real service."""
    from django.db import transaction

    from tipline.triage.duplicates import record_fingerprint

    with transaction.atomic():
        return {
            case_id: record_fingerprint(case_id=case_id, text=text)
            for case_id, text in enumerate(texts, start=1)
        }


def add_filler(first: int, last: int) -> float:
    """Store filler cases ``first``..``last``; seconds taken. Without a journal, and
    with the band indexes dropped and rebuilt around the insert: both only make the
    bench faster, the tables and indexes end up the same."""
    from django.db import connection, transaction

    from tipline.triage import similarity

    started = time.perf_counter()
    pragmas(journal_mode="OFF", synchronous="OFF", cache_size=-1_000_000)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = %s AND sql IS NOT NULL",
            [BANDS_TABLE],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute("DROP INDEX " + connection.ops.quote_name(name))
        cursor.execute(FILLER_SIGNATURES, [first, last, 4 * similarity.K])
        cursor.execute(FILLER_BANDS, [first, last, similarity.BANDS])
        for _, sql in indexes:
            cursor.execute(sql)
    # Back to how Tipline runs SQLite (tipline.settings), for the measurements.
    pragmas(journal_mode="WAL", synchronous="NORMAL", cache_size=-2000)
    return time.perf_counter() - started


def pragmas(**values: str | int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name, value in values.items():
            cursor.execute(f"PRAGMA {name} = {value}")


def query_plan(query: Fingerprint) -> list[str]:
    """SQLite's plan for each query of one lookup: index searches, no scans."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tipline.triage.duplicates import find_similar

    with CaptureQueriesContext(connection) as captured:
        find_similar(case_id=None, fingerprint=query)
    plan: list[str] = []
    with connection.cursor() as cursor:
        for executed in captured.captured_queries:
            cursor.execute("EXPLAIN QUERY PLAN " + executed["sql"])
            plan.extend(row[-1] for row in cursor.fetchall())
    return plan


def lookup_latency(queries: list[Fingerprint]) -> tuple[float, float]:
    """(p50, p99) in ms of ``find_similar`` over ``queries``: the best of three
    runs of each, so that other work on a shared machine does not count."""
    from tipline.triage.duplicates import find_similar

    samples = []
    for query in queries:
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            find_similar(case_id=None, fingerprint=query)
            runs.append((time.perf_counter() - started) * 1000)
        samples.append(min(runs))
    return quantile(samples, 0.5), quantile(samples, 0.99)


# --- Generated reports and their duplicates ---------------------------------------


@dataclass(frozen=True)
class Query:
    language: str
    change: str  # a key of CHANGES, or "unrelated"
    original: int | None  # the stored case it duplicates
    text: str


def corpus(rng: random.Random) -> tuple[list[str], list[Query]]:
    """Stored originals (English, then Chinese) and the queries made from them."""
    originals: list[str] = []
    queries: list[Query] = []
    for language in (ENGLISH, CHINESE):
        base = len(originals) + 1
        reports = [
            report(language, rng, rng.randint(500, 1500)) for _ in range(ORIGINALS)
        ]
        originals += ["".join(sentences) for sentences in reports]
        for change, make in CHANGES.items():
            for index in rng.sample(range(ORIGINALS), VARIANTS):
                text = make(language, reports[index], rng)
                queries.append(Query(language.code, change, base + index, text))
        for _ in range(UNRELATED):
            text = "".join(report(language, rng, rng.randint(500, 1500)))
            queries.append(Query(language.code, "unrelated", None, text))
    return originals, queries


def interleaved(queries: list[Query], count: int) -> Iterator[int]:
    """Indexes of ``count`` queries, half duplicates and half unrelated, spread over
    both languages and every kind of change."""
    duplicates = [i for i, query in enumerate(queries) if query.original is not None]
    unrelated = [i for i, query in enumerate(queries) if query.original is None]
    half = count // 2
    for index in range(half):
        yield duplicates[index * len(duplicates) // half]
        yield unrelated[index * len(unrelated) // half]


def jaccard(a: set[bytes], b: set[bytes]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- Measurements -----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    query: Query
    found: bool  # the original was returned
    wrong: int  # other cases returned
    score: float  # similarity to the original; for unrelated, to the closest report


def outcomes(
    queries: list[Query], prints: list[Fingerprint], stored: dict[int, Fingerprint]
) -> list[Outcome]:
    from tipline.triage import similarity
    from tipline.triage.duplicates import find_similar

    signatures = [found.signature for found in stored.values()]
    results = []
    for query, found in zip(queries, prints, strict=True):
        matches = [case for case, _ in find_similar(case_id=None, fingerprint=found)]
        if query.original is None:
            score = max(similarity.similarity(found.signature, s) for s in signatures)
        else:
            original = stored[query.original].signature
            score = similarity.similarity(found.signature, original)
        hit = query.original in matches
        results.append(Outcome(query, hit, len(matches) - hit, score))
    return results


def accuracy_rows(results: list[Outcome]) -> list[str]:
    groups: dict[tuple[str, str], list[Outcome]] = {}
    for result in results:
        groups.setdefault((result.query.language, result.query.change), []).append(
            result
        )
    rows = []
    for (language, change), group in groups.items():
        hits = sum(result.found for result in group)
        found = "-" if change == "unrelated" else f"{hits}/{len(group)}"
        scores = [result.score for result in group]
        rows.append(
            f"| {language} | {change} | {found} | {sum(r.wrong for r in group)} | "
            f"{quantile(scores, 0.05):.2f} | {quantile(scores, 0.5):.2f} | "
            f"{max(scores):.2f} |"
        )
    return rows


def accuracy_totals(results: list[Outcome], threshold: float) -> str:
    duplicates = [result for result in results if result.query.original is not None]
    hits = sum(result.found for result in duplicates)
    wrong = sum(result.wrong for result in results)
    unseen = sum(not r.found and r.score >= threshold for r in duplicates)
    return (
        f"Precision {hits / max(1, hits + wrong):.3f} ({wrong} wrong among "
        f"{hits + wrong} returned); recall {hits / len(duplicates):.3f} ({hits} of "
        f"{len(duplicates)} duplicates found; {unseen} scored at or above the "
        "threshold but shared no band)."
    )


def shingle_choice(rng: random.Random) -> list[str]:
    """Exact Jaccard similarity for each way of cutting text into shingles: a
    duplicate (reordered, 20 words edited) against its original, and a report
    against the closest of 20 unrelated ones. A wider gap separates them better."""
    from tipline.triage.similarity import normalize, shingles

    def words_of(size: int) -> Callable[[str], set[bytes]]:
        def cut(text: str) -> set[bytes]:
            found = normalize(text).split()
            count = max(1, len(found) - size + 1)
            return {" ".join(found[i : i + size]).encode() for i in range(count)}

        return cut

    english: dict[str, Callable[[str], set[bytes]]] = {
        f"chars {n}": functools.partial(shingles, latin=n) for n in range(3, 8)
    }
    english |= {f"words {n}": words_of(n) for n in range(1, 4)}
    chinese = {f"chars {n}": functools.partial(shingles, cjk=n) for n in range(1, 4)}
    retell = CHANGES["reordered + 20 words edited"]
    rows = []
    for language, ways in ((ENGLISH, english), (CHINESE, chinese)):
        natural = profile_texts(language.code)
        reports = [report(language, rng, 1024) for _ in range(120)]
        variants = [retell(language, sentences, rng) for sentences in reports]
        for name, cut in ways.items():
            sets = [cut("".join(sentences)) for sentences in reports]
            duplicate = [
                jaccard(original, cut(variant))
                for original, variant in zip(sets, variants, strict=True)
            ]
            closest = [
                max(jaccard(one, sets[(i + k) % len(sets)]) for k in range(1, 21))
                for i, one in enumerate(sets)
            ]
            low = quantile(duplicate, 0.05)
            pairs = itertools.combinations([cut(text) for text in natural], 2)
            rows.append(
                f"| {language.code} | {name} | {low:.2f} | "
                f"{statistics.median(closest):.2f} | {max(closest):.2f} | "
                f"{low - max(closest):.2f} | "
                f"{statistics.median(jaccard(a, b) for a, b in pairs):.3f} |"
            )
    return rows


def profile_texts(code: str) -> list[str]:
    """Natural text on one topic: the public guidance and category descriptions of
    the profiles Tipline ships, each text over 150 bytes once."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            text = node.get("zh-hans" if code == "zh" else code)
            if isinstance(text, str) and len(text.encode()) > 150:
                found.add(text)
            node = list(node.values())
        if isinstance(node, list):
            for child in node:
                walk(child)

    for path in sorted(PROFILES.glob("*.toml")):
        walk(tomllib.loads(path.read_text(encoding="utf-8")))
    return sorted(found)


def kilobyte(language: Language, rng: random.Random) -> str:
    data = "".join(report(language, rng, 1100)).encode()
    return data[:1024].decode("utf-8", errors="ignore")


def per_call(run: Callable[[], object], calls: int = 20) -> float:
    return median_seconds(lambda: [run() for _ in range(calls)], 25) / calls


def fingerprint_cost(key: bytes, rng: random.Random) -> list[str]:
    """Per 1 KB: fingerprinting against encrypting the same bytes and hashing them."""
    from tipline import crypto
    from tipline.triage.similarity import fingerprint

    data_key = crypto.new_data_key()
    rows = []
    for language in (ENGLISH, CHINESE):
        text = kilobyte(language, rng)
        data = text.encode()
        cost = per_call(functools.partial(fingerprint, text, key=key))
        sealed = per_call(
            functools.partial(crypto.encrypt, data_key, data, context=b"b")
        )
        hashed = per_call(functools.partial(hashlib.blake2b, data))
        rows.append(
            f"| {language.code} | {len(data)} | {cost * 1e6:.0f} | "
            f"{sealed * 1e6:.1f} | {hashed * 1e6:.1f} | {cost / sealed:.0f} | "
            f"{cost / hashed:.0f} |"
        )
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    started = time.perf_counter()
    rng = random.Random(SEED)
    latency = []
    with tempfile.TemporaryDirectory(prefix="tipline-bench-") as tmp:
        start_django(Path(tmp))
        from tipline.triage import similarity

        key = similarity.similarity_key()
        originals, queries = corpus(rng)
        stored = store_originals(originals)
        prints = [similarity.fingerprint(query.text, key=key) for query in queries]
        lookups = [prints[index] for index in interleaved(queries, LOOKUPS)]
        previous = len(stored)
        for size in SIZES:
            seconds = add_filler(previous + 1, size)
            previous = size
            p50, p99 = lookup_latency(lookups)
            latency.append(
                f"| {size:,} | {size * similarity.BANDS:,} | {seconds:.0f} | "
                f"{p50:.2f} | {p99:.2f} |"
            )
            print(latency[-1], flush=True)
        plan = query_plan(lookups[0])
        results = outcomes(queries, prints, stored)
    accuracy = accuracy_rows(results)
    print("\n".join(accuracy), flush=True)
    totals = accuracy_totals(results, similarity.THRESHOLD)
    print(totals, flush=True)
    cost = fingerprint_cost(key, rng)
    choice = shingle_choice(rng)
    print("\n".join(choice), flush=True)
    sections = {
        "latency": latency,
        "plan": plan,
        "accuracy": accuracy,
        "totals": [totals],
        "cost": cost,
        "choice": choice,
    }
    elapsed = time.perf_counter() - started
    print(write_result("duplicates", markdown(sections, elapsed)))


def markdown(sections: dict[str, list[str]], elapsed: float) -> str:
    from tipline.triage import similarity as s

    return "\n".join(
        [
            f"Parameters: K = {s.K} slots, {s.BANDS} bands x {s.ROWS} rows, threshold "
            f"{s.THRESHOLD}, shingles: Latin {s.LATIN_N}-grams, CJK {s.CJK_N}-grams. "
            f"Whole bench: {elapsed:.0f} s.",
            "",
            f"`find_similar` over {LOOKUPS} lookups (half duplicates of stored "
            "reports, half unrelated), SQLite in WAL mode as Tipline runs it; each "
            "lookup's time is the best of 3 runs. Filler rows are written by SQLite "
            "(random band values and signatures); fill time is for the rows added at "
            "that size.",
            "",
            "| stored reports | band rows | fill s | p50 ms | p99 ms |",
            "|---|---|---|---|---|",
            *sections["latency"],
            "",
            "Query plan of one lookup (index searches only):",
            "",
            *[f"    {line}" for line in sections["plan"]],
            "",
            f"Precision and recall at 1M stored reports: {ORIGINALS} generated reports "
            f"per language stored, {VARIANTS} duplicates per language and kind of "
            f"change, {UNRELATED} unrelated reports per language. Similarity is the "
            "estimate from the signatures: to the original for duplicates, to the "
            "closest stored report for unrelated ones.",
            "",
            "| language | change | found | wrong matches | similarity p5 | median | "
            "max |",
            "|---|---|---|---|---|---|---|",
            *sections["accuracy"],
            "",
            *sections["totals"],
            "",
            "Cost of one fingerprint of 1 KB of text against encrypting the same bytes "
            "(tipline.crypto.encrypt) and one unkeyed BLAKE2b of them; medians.",
            "",
            "| text | bytes | fingerprint us | encrypt us | blake2b us | x encrypt | "
            "x blake2b |",
            "|---|---|---|---|---|---|---|",
            *sections["cost"],
            "",
            "Choice of shingles, exact Jaccard similarity of shingle sets: a "
            "duplicate (reordered, 20 words edited) against its original (p5), and "
            "each report against the closest of 20 unrelated ones; gap = duplicate "
            "p5 - closest unrelated max. Last column: median over pairs of the "
            "natural texts on one topic in tipline/profiles/data (guidance and "
            "category descriptions), where generated text overstates how alike "
            "unrelated reports are.",
            "",
            "| text | shingles | duplicate p5 | closest unrelated median | max | gap | "
            "profile texts median |",
            "|---|---|---|---|---|---|---|",
            *sections["choice"],
        ]
    )


if __name__ == "__main__":
    main()
