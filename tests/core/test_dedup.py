"""Exact and near-duplicate detection: campaigns become one cluster, different comments stay apart."""

import random

from core.dedup import NearDuplicateIndex, cluster, fingerprint, similarity

CAMPAIGN_TEXT = (
    "关于小区停车难的问题，我们全体业主强烈建议：一、在幸福路与和平街交叉口增设立体停车库，缓解夜间停车压力；"
    "二、夜间允许沿街临时停车，早上七点前驶离即可；三、严查僵尸车，长期占用公共车位的车辆限期清理；"
    "四、停车收费标准应当听证后再定，不能一涨就是一倍。停车问题关系到每一户居民的日常生活，"
    "恳请区政府认真采纳我们的意见！居民张伟"
)
SIGNERS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴倩", "孙丽", "马超"]
FILLER = "的了很我们也都请在"
PUNCTUATION = "，。！；、 "

PLACES = ["幸福路", "和平街", "建设大道", "人民公园", "东风小区", "光明里", "解放路", "新华街", "滨江花园"]
PLACES += [
    "体育馆",
    "第三小学",
    "中心医院",
    "菜市场",
    "地铁站口",
    "老年活动中心",
    "图书馆",
    "南门桥",
    "长青苑",
]
PEOPLE = [
    "我母亲",
    "我父亲",
    "邻居王阿姨",
    "楼上的李大爷",
    "我爱人",
    "孩子的外婆",
    "隔壁老刘",
    "我们楼的陈师傅",
]
TIMES = ["晚上八点以后", "早高峰", "周末白天", "下午放学时", "节假日", "每天傍晚", "凌晨", "中午"]
SENTENCE_TEMPLATES = [
    "{place}附近{time}车位特别紧张，经常要绕{n}圈才能找到位置。",
    "建议在{place}旁边的空地建一个能停{n}辆车的停车场。",
    "我家住在{place}，{person}腿脚不便，希望能给残疾人留出专用车位。",
    "{time}{place}门口的电动车乱停乱放，把盲道都堵住了。",
    "收费标准每小时{n}元太贵了，对附近的老住户应该有月票优惠。",
    "{person}说{place}的停车场收费员态度不好，还不开发票。",
    "能不能把{place}的路边停车改成单侧，另一侧留给消防通道？",
    "新能源车的充电桩太少，{place}一共才{n}个，而且常被燃油车占着。",
    "草案第{n}条写的错峰共享停车很好，但要说明机关单位大院是否开放。",
    "{time}送孩子上学的家长把车停在{place}，交通几乎瘫痪。",
    "希望公布各个停车场的实时空位数，可以做一个小程序方便查询。",
    "对僵尸车的认定标准要写清楚，停放超过{n}天才算，不要误伤出差的人。",
    "{place}有几栋老楼没有地下车库，居民只能抢路边的位置。",
    "我支持提高中心城区的停车费，用价格引导大家坐公交和地铁。",
    "建议把{place}的违停抓拍时间改到{time}之外，给接送病人留点余地。",
    "共享单车的停放点离{place}太远，很多人就随手扔在路中间。",
    "物业把小区车位卖给外来车辆，本小区业主反而没地方停，{person}意见很大。",
    "夜间临时停车的规定很人性化，但{time}巡查的城管还是照样贴罚单。",
    "{place}到{place2}这一段可以划出{n}个限时十五分钟的临停车位，方便买菜。",
    "立体车库的安全问题要重视，{person}担心停车时机械故障。",
    "电动自行车充电棚要建在室外，楼道里充电太危险了，{place}去年就着过火。",
    "停车收入的使用情况应该每年公开，让大家知道钱花在哪里。",
    "外卖骑手的车在{place}没有固定停放区，建议专门划一块区域。",
    "医院周边应该优先保障就医车辆，{place}的车位被周边商户员工长期占用。",
    "方案征求意见的时间只有{n}天，太短了，很多老年人还不知道。",
    "建议学习外地经验，在{place}试点错时共享，白天给上班族，晚上给居民。",
    "停车位标线已经模糊，{place}一带需要重新施划。",
    "希望给{person}这样的高龄老人办理免费的临时停车证。",
]


def lightly_edited_copy(rng: random.Random) -> str:
    """The campaign text as one more signer sends it: another name, changed punctuation, a few typos."""
    text = CAMPAIGN_TEXT.replace("张伟", rng.choice(SIGNERS))
    characters = list(text)
    for _ in range(rng.randint(1, 4)):
        position = rng.randrange(len(characters))
        edit = rng.choice(["insert", "delete", "replace", "punctuation"])
        if edit == "insert":
            characters.insert(position, rng.choice(FILLER))
        elif edit == "delete":
            del characters[position]
        elif edit == "replace":
            characters[position] = rng.choice(FILLER)
        else:
            characters.insert(position, rng.choice(PUNCTUATION))
    return "".join(characters).replace("，", rng.choice(["，", ",", " ", "。"]))


def different_comment(rng: random.Random) -> str:
    """A comment of its own on the same topic: four different sentences with their own details."""
    sentences = []
    for template in rng.sample(SENTENCE_TEMPLATES, 4):
        place, place2 = rng.sample(PLACES, 2)
        sentences.append(
            template.format(
                place=place,
                place2=place2,
                person=rng.choice(PEOPLE),
                time=rng.choice(TIMES),
                n=rng.randint(2, 300),
            )
        )
    return "".join(sentences)


def test_campaign_copies_form_one_cluster_and_different_comments_stay_apart():
    rng = random.Random(20240611)
    campaign = [(f"campaign-{i}", lightly_edited_copy(rng)) for i in range(200)]
    different = [(f"own-{i}", different_comment(rng)) for i in range(200)]
    items = campaign + different
    rng.shuffle(items)

    clusters = cluster(items)

    campaign_clusters = {clusters[item_id] for item_id, _ in campaign}
    assert len(campaign_clusters) == 1
    assert campaign_clusters.pop().startswith("campaign-")
    assert all(clusters[item_id] == item_id for item_id, _ in different)


def test_campaign_is_named_by_its_first_comment():
    clusters = cluster(
        [(30, "不相关的一条意见，说的是公园的厕所太少了"), (12, CAMPAIGN_TEXT), (5, CAMPAIGN_TEXT + "！")]
    )
    assert clusters == {30: 30, 12: 12, 5: 12}


def test_add_reports_the_cluster_a_copy_joins():
    index = NearDuplicateIndex()
    assert index.add("first", CAMPAIGN_TEXT) is None
    assert index.add("edited", CAMPAIGN_TEXT.replace("张伟", "王芳").replace("一倍", "两倍")) == "first"
    assert index.add("unrelated", different_comment(random.Random(1))) is None
    assert index.cluster_of("edited") == "first"


def test_short_texts_cluster_only_with_exact_copies():
    clusters = cluster([(1, "同意"), (2, "同意！"), (3, "不同意"), (4, "同 意。"), (5, "非常同意")])
    assert clusters == {1: 1, 2: 1, 3: 3, 4: 1, 5: 5}


def test_fingerprint_ignores_punctuation_spacing_case_and_width():
    assert fingerprint("建议增加停车位，谢谢！ABC") == fingerprint("建议 增加停车位。谢谢 ａｂｃ")
    assert fingerprint("建议增加停车位") != fingerprint("建议减少停车位")


def test_similarity_is_one_for_copies_and_low_for_different_comments():
    rng = random.Random(3)
    assert similarity(CAMPAIGN_TEXT, CAMPAIGN_TEXT.replace("，", "。")) == 1.0
    assert similarity(CAMPAIGN_TEXT, different_comment(rng)) < 0.2
    edited = CAMPAIGN_TEXT.replace("张伟", "王芳")
    assert 0.9 < similarity(CAMPAIGN_TEXT, edited) < 1.0
