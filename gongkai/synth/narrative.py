"""Chinese prose for a synthetic report: preamble, the six sections' text, signature.

The prose is built from phrase banks filled with facts of the unit and the year (villages,
local industries, the year's priorities, counts of posts and trainings), so that two reports
are never near-copies unless an injected R-COPY error makes them so.  Sentences that restate
table figures (本年新收政府信息公开申请N件 …) are produced from the published cells and
returned as ``narrative_figures`` for the truth file.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from gongkai.units import Unit

# Local colour per unit code (what a township's report talks about besides disclosure).
_LOCAL = {
    "430181001": ("老城区有机更新", "背街小巷提质改造", "浏阳河风光带"),
    "430181002": ("集里医药产业", "花炮文化街区", "城市棚户区改造"),
    "430181003": ("荷花园区企业服务", "老旧小区改造", "城市社区治理"),
    "430181004": ("金阳新城建设", "征地拆迁", "重点项目服务"),
    "430181102": ("社港老街保护", "油茶产业", "农村人居环境整治"),
    "430181104": ("官渡古镇旅游", "竹木加工", "防汛抗旱"),
    "430181105": ("张坊红色旅游", "田坪村乡村振兴示范", "森林防火"),
    "430181106": ("达浒金钱河治理", "高山蔬菜", "地质灾害防治"),
    "430181107": ("沿溪特色小镇", "烤烟产业", "高标准农田建设"),
    "430181108": ("古港老街", "花木产业", "安全生产"),
    "430181109": ("永和菊花石", "磷矿整治", "生态修复"),
    "430181110": ("大瑶花炮原辅材料", "花炮安全生产", "集镇提质"),
    "430181111": ("金刚花炮产业", "湘赣边区域合作", "工业园区服务"),
    "430181112": ("文家市秋收起义会师旧址", "红色研学", "湘赣边红色旅游"),
    "430181114": ("枨冲油茶", "乡村振兴示范片", "农村公路建设"),
    "430181115": ("镇头黑山羊", "现代农业产业园", "圩场改造"),
    "430181116": ("普迹花炮", "普迹古镇", "安全生产专项整治"),
    "430181117": ("永安工业园区", "产城融合", "征地拆迁"),
    "430181118": ("北盛高新区配套", "千亿级产业园", "征地拆迁"),
    "430181120": ("龙伏沈家大屋", "新开村乡村旅游", "古建筑保护"),
    "430181121": ("澄潭江烟花爆竹", "工业小区", "安全生产"),
    "430181122": ("中和苏区纪念馆", "中药材种植", "农村人居环境"),
    "430181123": ("柏加花卉苗木", "湘赣边花木市场", "浏阳河沿岸治理"),
    "430181124": ("洞阳生物医药园", "临空经济", "征地拆迁"),
    "430181125": ("大围山国家森林公园", "全域旅游", "民宿规范管理"),
    "430181126": ("沙市赤马湖", "湘绣产业", "农田水利建设"),
    "430181127": ("淳口鸡公桥", "水稻制种", "高标准农田建设"),
    "430181128": ("高坪工业集中区", "乡村振兴", "农村建房管理"),
    "430181130": ("官桥石材", "非煤矿山整治", "生态修复"),
    "430181131": ("葛家茶叶", "高山云雾茶", "森林防火"),
    "430181132": ("蕉溪岭隧道沿线", "蕉溪花卉", "集镇建设"),
    "430181201": ("小河鲜笋", "湘赣边生态", "乡村旅游"),
}

_YEAR_THEMES = {
    2019: ("新修订的《条例》正式施行", "深入学习宣传新《条例》", "机构改革后职能调整"),
    2020: ("新冠肺炎疫情防控", "打赢脱贫攻坚战", "复工复产政策"),
    2021: ("建党一百周年", "村（社区）“两委”换届", "巩固拓展脱贫攻坚成果"),
    2022: ("学习宣传贯彻党的二十大精神", "常态化疫情防控", "稳经济一揽子政策"),
    2023: ("学习贯彻习近平新时代中国特色社会主义思想主题教育", "优化营商环境", "乡村振兴"),
    2024: ("党纪学习教育", "基层减负", "县域经济高质量发展"),
}

_PROBLEMS = (
    "部分村（社区）公开栏内容更新不及时，个别公开事项时间跨度较长",
    "信息发布以工作动态为主，政策解读的形式比较单一，图解、视频等解读方式运用不多",
    "政务公开专干由其他岗位人员兼任，业务能力有待进一步提升",
    "依申请公开办理中与申请人沟通不够充分，答复书的说理性有待加强",
    "基层政务公开标准化规范化建设还不够深入，公开事项目录与实际工作衔接不紧",
    "对{local1}等群众关注事项的公开还不够细化",
    "个别站室报送信息不够主动，存在信息滞后现象",
    "政务新媒体更新频率不高，互动性不强",
    "公开内容的可读性不强，部分信息专业术语较多，群众理解存在困难",
    "政策解读与文件公开不同步，回应关切的时效性不足",
    "信息发布审核把关仍有薄弱环节，曾出现个别信息表述不规范的情况",
    "村务公开与政务公开衔接不够紧密，群众知晓率有待提高",
    "档案整理与信息公开台账管理不够规范",
)

_MEASURES = (
    "建立公开栏定期巡查制度，由驻村干部每月检查一次，确保内容按时更新",
    "围绕{local1}、{local2}等重点工作，及时公开政策措施和办理结果",
    "积极采用图文、短视频、“一图读懂”等方式开展政策解读，增强解读实效",
    "定期组织政务公开业务培训，提高工作人员依法公开的能力",
    "规范依申请公开办理流程，严格答复时限，加强与申请人的沟通",
    "对照基层政务公开标准目录，动态调整公开事项清单",
    "落实信息发布“三审三校”制度，严把政治关、法律关和保密关",
    "把政务公开工作纳入站所和村（社区）年度绩效考核",
    "用好{name}政务微信公众号，提高信息发布频次和互动回应水平",
    "加强与上级部门的沟通对接，借鉴先进乡镇的经验做法",
    "推进政务公开与为民服务中心建设融合，在服务窗口设置政务公开专区",
    "完善政府信息公开工作台账，做到每件信息有据可查",
    "围绕{theme}，做好相关政策的集中公开和宣传",
    "畅通12345热线与依申请公开的衔接，提升回应群众关切的时效",
)

_EXTRA = (
    "围绕{theme}，在政府网站开设专题栏目，集中发布相关政策文件和工作动态。",
    "对涉及{local1}的征求意见稿，通过公开栏和村级微信群同步征求群众意见，收集意见建议{n}条。",
    "严格落实重大行政决策预公开制度，{n}项重要事项在决策前向社会公开征求意见。",
    "在为民服务中心设置意见箱和咨询台，全年现场解答群众咨询{n2}人次。",
    "主动公开财政预决算和“三公”经费信息，接受群众监督。",
    "对低保、特困供养、临时救助等民生资金按月公示，公示期间未收到异议。",
    "结合{local2}工作，组织干部进村入户宣讲政策{n}场次。",
    "利用“村村响”广播、电子显示屏等载体，扩大政策宣传覆盖面。",
    "按照“谁公开、谁审查、谁负责”的原则，落实信息发布前的保密审查。",
    "对12345热线工单办理情况定期分析，回应群众关切{n2}件次。",
    "建立政务公开工作台账，逐月梳理公开事项的完成情况。",
    "邀请{n}名群众代表参与政务公开工作评议，对评议意见逐条整改。",
    "通过院落会、屋场会向群众公开{local3}相关事项的办理进度。",
    "在各村（社区）推行“四议两公开”，村级重大事项决策和实施结果全部公开。",
)

_FEE_NOTES = (
    "本年度未收取信息处理费。",
    "根据《政府信息公开信息处理费管理办法》，本机关{year}年度未收取信息处理费。",
    "本年度无收取信息处理费情况。",
)


@dataclass
class Narrative:
    """The prose parts of one report (section headings and tables are added by the layout).

    ``s1`` is a list of (subheading or None, paragraph) pairs; the other sections are lists
    of paragraphs.  ``figures`` are the narrative figures for the truth file.
    """

    title: str
    preamble: list[str]
    s1: list[tuple[str | None, str]]
    s2: list[str]
    s3: list[str]
    s4: list[str]
    s5: list[str]
    s6: list[str]
    signature: list[str]
    figures: list[dict] = field(default_factory=list)
    title_unit: str = ""


def unit_full_name(unit_name: str, unit_type: str) -> str:
    """The office name used in the signature (…街道办事处 / …镇人民政府)."""
    return unit_name + ("办事处" if unit_type == "街道" else "人民政府")


def name_for_year(unit: Unit, year: int) -> str:
    """The unit's name valid in a report year (蕉溪镇 was 蕉溪乡 before 2018)."""
    if unit.valid_from and year < unit.valid_from:
        for alias in unit.aliases:
            if alias.endswith("乡"):
                return alias
    return unit.name


def _local(unit: Unit) -> tuple[str, str, str]:
    return _LOCAL.get(unit.code, ("乡村振兴", "人居环境整治", "安全生产"))


def figure_sentence(cells: dict, offsets: dict[str, int], rng: random.Random
                    ) -> tuple[str, list[dict]]:
    """The 依申请公开 sentence restating table 三/四 figures, and its figure records.

    ``offsets`` adds a wrong amount to a stated figure (an injected R-NARRATIVE error).
    """
    figures: list[dict] = []

    def said(phrase: str, expr: str, codes: list[str]) -> str | None:
        values = [cells.get(c) for c in codes]
        if any(v is None for v in values):
            return None
        table_value = sum(values)
        value = table_value + offsets.get(phrase, 0)
        figures.append({"phrase": phrase, "value": value, "compared_with": expr,
                        "table_value": table_value, "matches_table": value == table_value})
        return f"{phrase}{_n(value)}件"

    parts = [said("本年新收政府信息公开申请", "t3.new.total", ["t3.new.total"])]
    if rng.random() < 0.7 or offsets.get("上年结转"):
        parts.append(said("上年结转", "t3.carried_in.total", ["t3.carried_in.total"]))
    handled = cells.get("t3.total.total")
    tail = []
    if handled is not None and rng.random() < 0.5:
        tail.append(f"办结{_n(handled)}件")
    tail.append(said("结转下年度继续办理", "t3.carried_out.total", ["t3.carried_out.total"]))
    text = "，".join(p for p in parts if p) + "；" + "，".join(t for t in tail if t) + "。"
    review = said("行政复议", "t4.review.total", ["t4.review.total"])
    suit = said("行政诉讼", "t4.suit_direct.total + t4.suit_after_review.total",
                ["t4.suit_direct.total", "t4.suit_after_review.total"])
    lead = rng.choice(["本年度因政府信息公开工作被申请", "全年涉及政府信息公开的", "本年度发生"])
    legal = "、".join(p for p in (review, suit) if p)
    if legal:
        text += f"{lead}{legal}。"
    return text, figures


def _n(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def build(unit: Unit, year: int, cells: dict, rng: random.Random, *,
          title_name: str | None = None, title_year: int | None = None,
          published: str, figure_offsets: dict[str, int] | None = None,
          facts: dict[str, int] | None = None, fee_notices: int = 0,
          omit_fee_note: bool = False, problems_none: str | None = None) -> Narrative:
    """Compose the prose of one report from its published cells and the unit's facts."""
    facts = facts or {}
    name = name_for_year(unit, year)
    full = unit_full_name(name, unit.type)
    local1, local2, local3 = _local(unit)
    themes = _YEAR_THEMES.get(year, ("全面依法行政", "优化营商环境", "乡村振兴"))
    we = "我街道" if unit.type == "街道" else ("我乡" if name.endswith("乡") else "我镇")
    villages = 6 + int(unit.code[-2:]) % 17
    communities = 1 + int(unit.code[-3:]) % 4
    ty = title_year or year
    city = unit.city or "浏阳市"  # the bundled registry's city; others name their own
    prefix = rng.choice([city, city, city, ""])
    shown = title_name or name
    suffix = rng.choice(["", "", "办事处" if unit.type == "街道" else "人民政府"])
    title = f"{prefix}{shown}{suffix}{ty}年{rng.choice(['', '', '度'])}政府信息公开工作年度报告"
    notice = "国办公开办函〔2021〕30号" if year >= 2021 else "国办公开办函〔2019〕60号"
    phone = f"0731-83{rng.randint(100000, 999999)}"
    preamble = [
        rng.choice([
            f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》（{notice}）要求编制。",
            f"根据《中华人民共和国政府信息公开条例》和上级有关要求，{full}编制本年度报告。",
            f"本年度报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由{full}编制。",
        ])
        + rng.choice([
            "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。",
            "报告由总体情况等六个部分组成。",
            "",
        ])
        + f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        + rng.choice([
            "本报告电子版可在浏阳市人民政府门户网站（http://www.liuyang.gov.cn）查阅。"
            if city == "浏阳市" else f"本报告电子版可在{city}人民政府门户网站查阅。",
            f"本报告可在“{city}人民政府”门户网站{name}政务公开专栏查阅或下载。",
        ])
        + f"如对本报告有疑问，请与{full}党政办公室联系（地址：{city}{name}{rng.choice(['人民路', '新华街', '建设路', '中心街', '迎宾路'])}{rng.randint(1, 188)}号，邮编：4103{rng.randint(0, 99):02d}，电话：{phone}）。"
    ]

    theme = rng.choice(themes)
    intro = rng.choice([
        f"{year}年，{we}以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》和上级关于政务公开工作的部署，围绕{theme}和{local1}等中心工作，扎实推进政务公开，保障了群众的知情权、参与权和监督权。",
        f"{year}年，在市委、市政府的正确领导下，{we}坚持以公开为常态、不公开为例外，紧扣{theme}，把政务公开与{local2}等重点工作同部署、同推进，政府信息公开工作取得了新的进展。",
        f"今年以来，{we}高度重视政府信息公开工作，结合{local1}、{local3}等实际，不断完善公开机制、拓展公开渠道，政务公开质量稳步提高。",
    ])
    s1: list[tuple[str | None, str]] = [(None, intro)]
    posts = facts.get("posts", 100)
    boards = facts.get("boards", villages)
    active = rng.choice([
        f"全年在{city}人民政府门户网站{name}专栏主动公开政府信息{posts}条，内容涵盖机构职能、财政预决算、{local2}、社会救助、涉农补贴等方面。",
        f"本年度通过政府网站、政务微信公众号和村务公开栏等渠道共发布各类信息{posts}条，其中政策文件及解读{facts.get('policy_readings', 3)}条。",
        f"{we}围绕{local1}等重点领域，及时主动公开各类政府信息{posts}条，并在{villages}个村和{communities}个社区的公开栏同步公示低保、特困供养、惠农补贴等民生信息。",
    ]) + rng.choice([
        "做到应公开尽公开。",
        f"全年更新村（社区）公开栏{boards}次。",
        f"围绕{theme}开展政策解读{facts.get('policy_readings', 2)}次。",
        "",
    ])
    s1.append(("主动公开情况", active))
    sentence, figures = figure_sentence(cells, figure_offsets or {}, rng)
    applied = rng.choice([
        f"严格按照《条例》规定的时限和程序办理依申请公开事项。{sentence}",
        f"{sentence}所有申请均在法定期限内答复，未发生逾期答复的情况。",
        f"畅通依申请公开受理渠道，在为民服务中心设立受理窗口。{sentence}",
    ])
    s1.append(("依申请公开情况", applied))
    management = rng.choice([
        f"落实政府信息公开属性源头认定机制，公文在拟制时即明确公开属性；对拟公开信息实行分管领导审核、主要领导签发。全年召开政务公开专题会议{facts.get('meetings', 3)}次。",
        f"建立健全信息发布保密审查机制，严格执行“先审查、后公开”和“一事一审”；对{local3}等涉及群众切身利益的信息做好隐私保护。",
        f"对照基层政务公开标准目录，梳理{we}公开事项清单，明确公开主体、公开时限和公开方式，及时清理过期失效信息。",
    ])
    s1.append(("政府信息管理情况", management))
    platform = rng.choice([
        f"以政府网站{name}专栏为主阵地，政务微信公众号、村级微信群为补充，在为民服务中心设置政务公开查阅点，方便群众查询。",
        f"完善为民服务中心政务公开专区，配备自助查询终端；{villages}个村（社区）综合服务平台设置公开栏，实现村级公开全覆盖。",
        f"加强政务新媒体管理，做到每周更新；结合{local2}工作，通过院坊会、屋场会等形式面对面公开政策。",
    ])
    s1.append(("平台建设情况", platform))
    oversight = rng.choice([
        f"成立由党委副书记任组长的政务公开工作领导小组，明确党政办具体负责；全年组织业务培训{facts.get('trainings', 2)}次，并将政务公开纳入年度绩效考核。",
        f"将政务公开工作纳入站所、村（社区）年度考核，开展政务公开专项督查{facts.get('trainings', 1)}次，对发现的问题督促限期整改。",
        f"自觉接受人大代表、政协委员和群众监督，本年度{rng.choice(['未发生', '没有发生'])}因政务公开工作引起的责任追究情况。",
    ])
    s1.append(("监督保障情况", oversight))
    fill = {"local1": local1, "local2": local2, "local3": local3, "theme": theme,
            "n": rng.randint(3, 30), "n2": rng.randint(40, 600)}
    for extra_text in rng.sample(_EXTRA, rng.randint(2, 4)):
        i = rng.choice([1, 3, 4, 5])
        head, text = s1[i]
        s1[i] = (head, text + extra_text.format(**fill))

    s2 = [rng.choice(["", "", "本年度主动公开政府信息情况如下："])]
    s3 = [rng.choice(["", "", "本年度收到和处理政府信息公开申请情况如下表："])]
    s4 = [rng.choice(["", "", "本年度政府信息公开行政复议、行政诉讼情况如下："])]

    if problems_none:
        s5 = [problems_none]
    else:
        fill = {"local1": local1, "local2": local2, "name": name, "theme": theme}
        problems = [p.format(**fill) for p in rng.sample(_PROBLEMS, rng.randint(2, 3))]
        measures = [m.format(**fill) for m in rng.sample(_MEASURES, rng.randint(3, 4))]
        nums = rng.choice([("一是", "二是", "三是", "四是"), ("1.", "2.", "3.", "4."),
                           ("（1）", "（2）", "（3）", "（4）")])
        s5 = [
            rng.choice([
                f"{year}年，{we}政府信息公开工作虽然取得了一定成效，但也存在一些问题和不足：",
                "对照上级要求和群众期盼，我们的工作还存在一些差距，主要是：",
                "本年度政务公开工作中存在的主要问题有：",
            ]) + "；".join(f"{nums[i]}{p}" for i, p in enumerate(problems)) + "。",
            rng.choice(["下一步，我们将采取以下措施加以改进：", "针对上述问题，下一步将重点做好以下工作：",
                        "改进措施："]) + "；".join(f"{nums[i]}{m}" for i, m in enumerate(measures)) + "。",
        ]

    s6: list[str] = []
    if fee_notices and not omit_fee_note:
        s6.append(rng.choice([
            f"本年度依据《政府信息公开信息处理费管理办法》向申请人发出收费通知{fee_notices}件，申请人逾期未缴纳信息处理费，未再处理其申请；本年度实际收取信息处理费0元。",
            f"本年度有{fee_notices}件申请因申请人逾期未按收费通知要求缴纳信息处理费，{we}不再处理；全年未实际收取信息处理费。",
        ]))
    elif year >= 2021 and not omit_fee_note and rng.random() < 0.6:
        s6.append(rng.choice(_FEE_NOTES).format(year=year))
    extra = rng.choice([
        "",
        f"本年度共办理人大代表建议{rng.randint(1, 6)}件、政协委员提案{rng.randint(0, 4)}件，均已按期办结并公开办理结果。",
        f"{we}按照上级部署，完成了{year}年度政务公开工作要点确定的各项任务。",
        "本年度无其他需要报告的事项。",
    ])
    if extra:
        s6.append(extra)
    if not s6:
        s6.append("无。" if rng.random() < 0.5 else "无")

    signature = [full, date_cn(published)]
    return Narrative(title, preamble, s1, s2, s3, s4, s5, s6, signature, figures,
                     title_unit=f"{prefix}{shown}{suffix}")


def date_cn(iso: str) -> str:
    """An ISO date as written under a signature: ``2022年1月20日``."""
    d = date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"
