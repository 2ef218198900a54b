"""Prints how fast comments are screened and clustered; never asserts.

Run from the repository root: .venv/bin/python -m bench.screening
CPU time is printed beside wall time: on a shared machine it is the steadier figure.
Screening runs pinned to one core with the starter list plus 10,000 generated words over 20,000 comments;
clustering covers 100,000 comments that hide a few copy-paste campaigns.
"""

import os
import platform
import random
import time
from collections import Counter
from functools import cache
from itertools import accumulate
from pathlib import Path

import jieba

from core.dedup import cluster
from core.screening import DEFAULT_WORD_LIST, SensitiveWordMatcher, default_matcher, load_word_list, screen

SEED = 2024
WORD_COUNT = 10_000
SCREENED_COMMENTS = 20_000
CLUSTERED_COMMENTS = 100_000
CAMPAIGN_SIZES = (100, 500, 1_000, 3_000, 10_000)

# Two-character pieces of spam vocabulary; words of two or three of them read like real list entries.
_PIECES = (
    "代办出售收购彩票博彩网贷刷单兼职网赚返利充值提现包赔高仿特价秒批黑户套现私服外挂代练水军"
    "推广引流涨粉开户注册礼金佣金跑分洗码下分上分对公真人棋牌捕鱼电玩百家飞艇赛车六合时时娱乐"
)
MORPHEMES = [_PIECES[i : i + 2] for i in range(0, len(_PIECES), 2)]
PLACES = ["幸福路", "和平街", "建设大道", "人民公园", "东风小区", "光明里", "解放路", "滨江花园", "第三小学"]
SUBJECTS = ["停车位", "垃圾分类", "加装电梯", "公交线路", "学校招生", "菜市场改造", "路灯", "绿化带", "噪音"]
SENTENCES = [
    "{place}的{subject}问题已经反映过很多次了，希望这次能真正解决。",
    "草案第{n}条关于{subject}的规定不够具体，建议写明责任部门和完成时限。",
    "我在{place}住了{n}年，{subject}一直是居民最关心的事情。",
    "建议先在{place}试点，{subject}的经验成熟以后再推广到全区。",
    "{subject}的经费来源要公开，每年向居民代表大会报告使用情况。",
    "老年人不会用手机，{subject}的办理渠道要保留线下窗口。",
    "希望{place}周边增加{n}个{subject}相关的便民设施。",
    "对{subject}的处罚标准偏高，第一次违反应以教育为主。",
    "支持这个方案，尤其是{subject}部分，考虑得很周到。",
    "{place}晚上{subject}的情况很严重，影响孩子休息和学习。",
    "去年{place}搞{subject}的时候没有征求意见，这次能公开征求很好。",
    "{subject}的施工时间要避开中高考，{place}附近有{n}所学校。",
    "物业和社区在{subject}上互相推诿，希望明确由谁牵头。",
    "建议设立{subject}的投诉电话，{n}个工作日内必须答复。",
    "{place}的居民大多是租户，{subject}的政策要考虑他们的实际困难。",
    "看了草案，{subject}的补贴标准每户{n}元偏低，难以调动积极性。",
    "{subject}涉及的旧设施拆除后，{place}的空地能不能建个小公园？",
    "我们楼有{n}户，对{subject}有不同意见，希望给出协商的程序。",
    "{place}附近的商户对{subject}意见很大，担心影响生意。",
    "{subject}的信息要在{place}的公告栏贴出来，不是每个人都上网。",
]
EXTRAS = [
    "联系电话13800138000。",
    "我的邮箱是resident{n}@example.com。",
    "身份证11010519491231002X。",
    "加微信：shop{n}，低价出售。",
    "上www.365bet.top体育投注，首存送彩金！",
    "详情见 https://example.cn/p/{n}",
]


def generated_words(rng: random.Random) -> list[str]:
    """10,000 distinct spam-like pseudo-words of two or three pieces, plus some Latin brand names."""
    words: set[str] = set()
    while len(words) < WORD_COUNT:
        if rng.random() < 0.1:
            words.add(f"{rng.choice(['bet', 'win', 'vip', 'lucky'])}{rng.randint(100, 9999)}")
        else:
            words.add("".join(rng.sample(MORPHEMES, rng.randint(2, 3))))
    return sorted(words)


@cache
def everyday_words() -> tuple[list[str], list[int]]:
    """The 30,000 most frequent Chinese words of jieba's dictionary, with cumulative frequencies."""
    dictionary = Path(jieba.__file__).parent / "dict.txt"
    entries = [line.split(" ") for line in dictionary.read_text(encoding="utf-8").splitlines()]
    chinese = sorted((e for e in entries if all("\u4e00" <= ch <= "\u9fff" for ch in e[0])), key=lambda e: -int(e[1]))
    return [e[0] for e in chinese[:30_000]], list(accumulate(int(e[1]) for e in chinese[:30_000]))


def comment(rng: random.Random) -> str:
    """A 100-400 character comment; about one in ten carries personal data or spam.

    Each sentence is a topical clause followed by words drawn by their frequency in everyday Chinese, so two
    comments share common words about as often as real ones do, not whole sentences from a small pool.
    """
    words, cumulative_frequencies = everyday_words()
    parts = [
        template.format(place=rng.choice(PLACES), subject=rng.choice(SUBJECTS), n=rng.randint(1, 500))[:-1]
        + "，"
        + "".join(rng.choices(words, cum_weights=cumulative_frequencies, k=rng.randint(5, 14)))
        + "。"
        for template in rng.sample(SENTENCES, rng.randint(3, 8))
    ]
    if rng.random() < 0.1:
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(EXTRAS).format(n=rng.randint(1, 999)))
    return "".join(parts)


def campaign_copy(rng: random.Random, original: str) -> str:
    """A lightly edited copy: a few characters inserted, deleted or replaced."""
    characters = list(original)
    for _ in range(rng.randint(1, 4)):
        position = rng.randrange(len(characters))
        characters[position : position + 1] = rng.choice([[], ["的"], ["的", characters[position]]])
    return "".join(characters)


def bench_screening(rng: random.Random) -> None:
    word_lists = load_word_list(DEFAULT_WORD_LIST)
    word_lists["generated"] = generated_words(rng)
    started = time.perf_counter()
    matcher = SensitiveWordMatcher(word_lists)
    built = time.perf_counter() - started
    comments = [comment(rng) for _ in range(SCREENED_COMMENTS)]
    average_length = sum(map(len, comments)) / len(comments)
    default_matcher()  # not timed: loaded once per process
    started, started_cpu = time.perf_counter(), time.process_time()
    flagged = sum(screen(text, matcher).needs_attention for text in comments)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(f"word list: {matcher.word_count} words, automaton built in {built * 1000:.0f} ms")
    print(f"screened {len(comments)} comments (average {average_length:.0f} chars) in {elapsed:.2f} s, {cpu:.2f} s CPU")
    print(f"  -> {len(comments) / cpu:,.0f} comments per CPU second on one core; {flagged} flagged")


def bench_clustering(rng: random.Random) -> None:
    items = [(f"c{i}", comment(rng)) for i in range(CLUSTERED_COMMENTS - sum(CAMPAIGN_SIZES))]
    for number, size in enumerate(CAMPAIGN_SIZES):
        original = comment(rng)
        items += [(f"campaign{number}-{i}", campaign_copy(rng, original)) for i in range(size)]
    rng.shuffle(items)
    fifth = len(items) // 5
    started_cpu = time.process_time()
    cluster(items[:fifth])
    print(f"clustered {fifth} comments in {time.process_time() - started_cpu:.1f} s CPU (to judge linearity)")
    started, started_cpu = time.perf_counter(), time.process_time()
    clusters = cluster(items)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    campaign_clusters = {clusters[item_id] for item_id, _ in items if item_id.startswith("campaign")}
    campaign_sizes = Counter(clusters[item_id] for item_id, _ in items if item_id.startswith("campaign"))
    other_merged = sum(1 for item_id, _ in items if not item_id.startswith("campaign") and clusters[item_id] != item_id)
    print(f"clustered {len(items)} comments in {elapsed:.1f} s, {cpu:.1f} s CPU ({len(items) / cpu:,.0f} per CPU s)")
    print(
        f"  -> campaigns of {', '.join(map(str, CAMPAIGN_SIZES))} copies landed in {len(campaign_clusters)} "
        f"clusters of {sorted(campaign_sizes.values())}; {other_merged} other comments joined a cluster"
    )


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores (using one)")
    bench_screening(random.Random(SEED))
    bench_clustering(random.Random(SEED + 1))


if __name__ == "__main__":
    main()
