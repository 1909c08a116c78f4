"""Indicator stage: 二级指标, value kind, direction, unit family, reuse and the per-project summary.

Unit tests build indicator rows inline; integration tests assert indicators a person can check in data/raw.
"""
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from helpers.analysis.indicators import (
    NEW_COLUMNS,
    SUMMARY_COLUMNS,
    count_reuse,
    enrich_indicators,
    project_amounts,
    summarize_indicators,
    unit_families,
    unknown_level2,
    unknown_units,
    unmatched_level2,
)

# The columns of `indicators` as performance.py writes them.
BASE_COLUMNS = [
    "doc_id", "table_kind", "line", "scope", "project_name", "project_code", "level1", "level2", "indicator",
    "operator", "target_value", "target_high", "unit", "target_text", "weight", "direction", "note", "raw",
]


def _cells(text: str) -> list[list[str | None]]:
    """Rows of '|'-separated cells, one line each; an empty cell is missing."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return [[cell.strip() or None for cell in line.split("|")] for line in lines]


def indicators(text: str, doc_id: str = "d") -> pd.DataFrame:
    """Indicator rows: scope | project | line | level1 | level2 | indicator | operator | target | unit | target_text | raw."""
    rows = _cells(text)
    header = ["scope", "project_name", "line", "level1", "level2", "indicator", "operator", "target_value", "unit",
              "target_text", "raw"]
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame["doc_id"], frame["table_kind"] = doc_id, "project_performance"
    text_columns = ["doc_id", "table_kind", "scope", "project_name", "level1", "level2", "indicator", "operator", "unit",
                    "target_text", "raw"]
    frame[text_columns] = frame[text_columns].astype("str")
    frame["line"] = frame["line"].astype("int64")
    frame["target_value"] = pd.to_numeric(frame["target_value"]).astype("float64")
    for column in BASE_COLUMNS:
        if column not in frame:
            frame[column] = None
    return frame[BASE_COLUMNS]


def classified(text: str) -> pd.DataFrame:
    return enrich_indicators(indicators(text))[["indicator", "level2_norm", "level2_rule"]]


def expected(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns).astype("str")


def test_enrich_keeps_rows_and_order_and_moves_the_printed_direction():
    frame = indicators("""
        project | p | 2 | 产出指标 | 数量指标 | 参保人数 | >= | 5 | 万人 |  | ≥5万人
        project | p | 1 | 成本指标 |          | 成本控制 | <= | 3 | 万元 |  | ≤3万元
    """)
    frame["direction"] = ["正向", None]
    enriched = enrich_indicators(frame)
    renamed = ["direction_printed" if c == "direction" else c for c in BASE_COLUMNS]
    assert list(enriched.columns) == renamed + NEW_COLUMNS
    assert enriched["line"].tolist() == [2, 1]
    assert enriched["direction_printed"].fillna("").tolist() == ["正向", ""]
    assert_frame_equal(enrich_indicators(enriched), enriched)  # enriching twice changes nothing


def test_level2_printed_names_and_aliases():
    got = classified("""
        project | p | 1 | 产出指标 | 数量指标 | 参保人数     | >=          | 5  | 万人 |      | ≥5万人
        project | p | 2 | 成本指标 | 经济成本 | 总成本控制数 | <=          | 10 | 万元 |      | ≤10万元
        department |  | 3 | 效益指标 | 满意度   | 群众满意度   | >=          | 90 | %    |      | ≥90%
        department |  | 4 | 效益指标 | 履职效益 | 推动事业发展 | qualitative |    |      | 推动 | 推动
        department |  | 5 | 投入管理指标 | 绩效管理 | 绩效监控完成率 | = | 100 | % |  | 100%
    """)
    assert_frame_equal(got, expected([
        ("参保人数", "数量指标", "printed"),
        ("总成本控制数", "经济成本指标", "alias:经济成本"),
        ("群众满意度", "服务对象满意度指标", "alias:满意度"),
        ("推动事业发展", "社会效益指标", "alias:履职效益"),
        ("绩效监控完成率", "绩效管理", "printed"),
    ], ["indicator", "level2_norm", "level2_rule"]))


def test_level2_of_a_cost_is_economic_unless_its_name_says_otherwise():
    got = classified("""
        project | p | 1 | 成本指标 |  | 办公费           | <= | 30 | 万元 |  | ≤30万元
        project | p | 2 | 成本指标 |  | 环境污染治理成本 | <= | 1  | 万元 |  | ≤1万元
        project | p | 3 | 成本指标 |  | 社会成本         | <= | 1  | 万元 |  | ≤1万元
    """)
    assert got["level2_norm"].tolist() == ["经济成本指标", "生态环境成本指标", "社会成本指标"]
    assert got["level2_rule"].tolist() == ["default:成本指标", "keyword:环境", "keyword:社会成本"]


def test_level2_of_an_output_first_matching_rule_wins():
    got = classified("""
        project | p | 1  | 产出指标 |  | 日常工作完成及时率   | =           | 100  | %    |          | 100%
        project | p | 2  | 产出指标 |  | 基金滚存结余可支配月数 | >=        | 6    | 个月 |          | ≥6个月
        project | p | 3  | 产出指标 |  | 安全事故发生率       | <=          | 1    | 次   |          | ≤1次
        project | p | 4  | 产出指标 |  | 印刷合格率           | =           | 100  | %    |          | 100%
        project | p | 5  | 产出指标 |  | 会议天数             | <=          | 2    | 天   |          | ≤2天
        project | p | 6  | 产出指标 |  | 用水量               | <=          | 900  | 吨/年 |         | ≤900吨/年
        project | p | 7  | 产出指标 |  | 运转支持度           | >=          | 90   | %    |          | ≥90%
        project | p | 8  | 产出指标 |  | 居家自主护理         | =           | 540  | 元   |          | 540元
        project | p | 9  | 产出指标 |  | 采购办公设备         | qualitative |      |      | 按时到位 | 按时到位
        project | p | 10 | 产出指标 |  | 开展门诊统筹         | qualitative |      |      | 普遍开展 | 普遍开展
        project | p | 11 | 产出指标 |  | 网络通信             | =           | 12   |      |          | 12
    """)
    assert_frame_equal(got, expected([
        ("日常工作完成及时率", "时效指标", "keyword:及时"),  # timeliness before the 率 of a quality rate
        ("基金滚存结余可支配月数", "质量指标", "keyword:结余"),  # a fund reserve, not a deadline, despite 个月
        ("安全事故发生率", "数量指标", "unit:次"),  # a count unit before the 率 of the name
        ("印刷合格率", "质量指标", "keyword:合格"),
        ("会议天数", "时效指标", "unit:天"),
        ("用水量", "数量指标", "keyword:量"),
        ("运转支持度", "质量指标", "unit:%"),
        ("居家自主护理", "质量指标", "unit:元"),  # a payment standard
        ("采购办公设备", "时效指标", "target:按时"),
        ("开展门诊统筹", "质量指标", "operator:qualitative"),
        ("网络通信", "数量指标", "default:产出指标"),
    ], ["indicator", "level2_norm", "level2_rule"]))


def test_level2_of_effects_and_satisfaction():
    got = classified("""
        project | p | 1 | 效益指标   |  | 经费节省             | qualitative |    |   | 厉行节约 | 厉行节约
        project | p | 2 | 效益指标   |  | 健全医疗保障制度体系 | qualitative |    |   | 健全     | 健全
        project | p | 3 | 效益指标   |  | 员工满意度           | >=          | 90 | % |          | ≥90%
        project | p | 4 | 效益指标   |  | 困难群众医疗费用负担 | qualitative |    |   | 有效缓解 | 有效缓解
        project | p | 5 | 满意度指标 |  | 政策知晓率           | >=          | 95 | % |          | ≥95%
    """)
    assert got["level2_norm"].tolist() == ["经济效益指标", "可持续影响指标", "服务对象满意度指标", "社会效益指标",
                                           "服务对象满意度指标"]
    assert got["level2_rule"].tolist() == ["keyword:节省", "keyword:制度", "keyword:满意", "default:效益指标",
                                           "default:满意度指标"]


def test_level2_of_an_unknown_level1_is_marked_and_an_unknown_printed_name_listed():
    enriched = enrich_indicators(indicators("""
        project | p | 1 | 其他指标 |          | 某项工作       | qualitative |     |   | 完成 | 完成
        project | p | 2 | 产出指标 | 产出数量 | 培训次数       | >=          | 3   | 次 |     | ≥3次
    """))
    assert enriched["level2_norm"].tolist() == ["未分类", "数量指标"]
    assert enriched["level2_rule"].tolist() == ["unmatched:其他指标", "unit:次"]
    assert unmatched_level2(enriched)["line"].tolist() == [1]
    assert unknown_level2(enriched)[["level2", "n_rows"]].to_dict("records") == [{"level2": "产出数量", "n_rows": 1}]


def test_value_kind_and_direction_come_from_the_operator():
    enriched = enrich_indicators(indicators("""
        project | p | 1 | 产出指标 |  | a率 | >=          | 90 | %  |    | ≥90%
        project | p | 2 | 产出指标 |  | b率 | >           | 90 | %  |    | >90%
        project | p | 3 | 产出指标 |  | c率 | <=          | 2  | %  |    | ≤2%
        project | p | 4 | 产出指标 |  | d率 | <           | 2  | %  |    | <2%
        project | p | 5 | 产出指标 |  | e率 | =           | 100 | % |    | =100%
        project | p | 6 | 产出指标 |  | f率 | range       | 60 | %  |    | 60-80%
        project | p | 7 | 产出指标 |  | g率 | qualitative |    |    | 及时 | 及时
    """))
    assert_frame_equal(enriched[["value_kind", "direction"]], expected([
        ("quantitative", "≥"), ("quantitative", "≥"), ("quantitative", "≤"), ("quantitative", "≤"),
        ("quantitative", "="), ("quantitative", "range"), ("qualitative", None),
    ], ["value_kind", "direction"]))


def test_unit_family_from_the_map_and_an_unknown_unit_is_other_and_listed():
    enriched = enrich_indicators(indicators("""
        project | p | 1 | 产出指标 |  | a   | >=          | 90  | %     |      | ≥90%
        project | p | 2 | 产出指标 |  | b   | >=          | 5   | 万人  |      | ≥5万人
        project | p | 3 | 成本指标 |  | c   | <=          | 380 | 元/人 |      | ≤380元/人
        project | p | 4 | 产出指标 |  | d   | >=          | 150 | 次/年 |      | ≥150次/年
        project | p | 5 | 产出指标 |  | e   | <=          | 6   | 个月  |      | ≤6个月
        project | p | 6 | 产出指标 |  | f   | <=          | 900 | 吨/年 |      | ≤900吨/年
        project | p | 7 | 产出指标 |  | g   | >=          | 3   | 光年  |      | ≥3光年
        project | p | 8 | 效益指标 |  | h   | qualitative |     |       | 提高 | 提高
        project | p | 9 | 成本指标 |  | i   | <=          | 2.5 | 万    |      | ≤2.5万
    """))
    assert enriched["unit_family"].fillna("NA").tolist() == [
        "percent", "persons", "money_rate", "count", "time", "other", "other", "NA", "money"]
    assert unknown_units(enriched)[["unit", "n_rows", "first_line"]].to_dict("records") == [
        {"unit": "光年", "n_rows": 1, "first_line": 7}]


def test_reuse_counts_projects_within_a_document_and_documents_across():
    first = indicators("""
        project    | p1 | 1 | 产出指标 |  | 下乡次数 | >= | 50 | 次 |  | ≥50次
        project    | p2 | 2 | 产出指标 |  | 下乡次数 | >= | 50 | 次 |  | ≥ 50 次
        department |    | 3 | 产出指标 |  | 下乡次数 | >= | 50 | 次 |  | ≥50次
        project    | p3 | 4 | 产出指标 |  | 下乡次数 | >= | 30 | 次 |  | ≥30次
    """, doc_id="a")
    second = indicators("""
        project | q | 1 | 产出指标 |  | 下乡次数 | >= | 50 | 次 |  | ≥50次
    """, doc_id="b")
    alone = enrich_indicators(first)
    assert alone["reuse_projects"].tolist() == [3, 3, 3, 1]  # the department table counts as one project
    assert alone["reuse_docs"].tolist() == [1, 1, 1, 1]
    together = count_reuse(pd.concat([alone, enrich_indicators(second)], ignore_index=True))
    assert together["reuse_docs"].tolist() == [2, 2, 2, 1, 2]
    assert together["reuse_projects"].tolist() == [3, 3, 3, 1, 1]


def _budgets(rows: list[tuple]) -> pd.DataFrame:
    columns = ["doc_id", "table_kind", "line", "scope", "project_name", "project_code", "project_type", "label",
               "amount_wan"]
    return pd.DataFrame([("d", "project_performance", *r) for r in rows], columns=columns)


def test_project_amounts_take_the_best_ranked_total_label():
    budgets = _budgets([
        (10, "project", "p", None, None, "项目资金总额", 30.0),
        (11, "project", "p", None, None, "年度资金申请总额", 12.0),
        (12, "project", "p", None, None, "其中：财政资金", 12.0),
        (20, "department", None, None, None, "财政拨款", 99.0),
        (21, "department", None, None, None, "资金总额", 100.0),
    ])
    got = project_amounts(budgets)
    assert got[["line", "scope", "amount_wan", "amount_source"]].to_dict("records") == [
        {"line": 11, "scope": "project", "amount_wan": 12.0, "amount_source": "performance_budgets:年度资金申请总额"},
        {"line": 21, "scope": "department", "amount_wan": 100.0, "amount_source": "performance_budgets:资金总额"},
    ]


def test_summarize_counts_targets_and_checks_the_cost_against_the_amount():
    enriched = enrich_indicators(indicators("""
        project    | 网络维护费用项目 | 5  | 成本指标   |  | 保险费       | <=          | 0.4  | 万     |      | ≤0.4万
        project    | 网络维护费用项目 | 5  | 产出指标   |  | 维护次数     | >=          | 4    | 次     |      | ≥4次
        project    | 网络维护费用项目 | 6  | 成本指标   |  | 燃油费       | <=          | 1600 | 元     |      | ≤1600元
        project    | 网络维护费用项目 | 6  | 满意度指标 |  | 群众满意度   | >=          | 95   | %      |      | ≥95%
        project    | 网络维护费用项目 | 7  | 成本指标   |  | 人均成本     | <=          | 300  | 元/人  |      | ≤300元/人
        project    | 网络维护费用项目 | 7  | 效益指标   |  | 办公效率     | qualitative |      |        | 提高 | 提高
        project    | 网络维护费用项目 | 8  | 效益指标   |  | 员工满意度   | >=          | 90   | %      |      | ≥90%
        project    | 档案管理         | 9  | 成本指标   |  | 成本控制     | <=          | 8    | 万元   |      | ≤8万元
        project    | 档案管理         | 9  | 产出指标   |  | 维护次数     | >=          | 4    | 次     |      | ≥4次
        department |                  | 20 | 投入管理指标 | 绩效管理 | 绩效自评完成率 | = | 100 | % |  | 100%
    """))
    budgets = _budgets([(5, "project", "网络维护费用项目", None, None, "project_total:资金总额", 0.56)])
    projects = pd.DataFrame({"doc_id": ["d"], "project_name": ["档案管理项目"], "amount_wan": [7.5]})
    got = summarize_indicators(enriched, projects, budgets)
    want = pd.DataFrame({
        "doc_id": ["d", "d", "d"], "scope": ["project", "project", "department"],
        "project_name": ["网络维护费用项目", "档案管理", None],
        "n_indicators": [7, 2, 1], "n_output": [1, 1, 0], "n_effect": [2, 0, 0], "n_satisfaction": [1, 0, 0],
        "n_cost": [3, 1, 0], "n_management": [0, 0, 1], "n_quantitative": [6, 2, 1],
        "share_quantitative": [6 / 7, 1.0, 1.0],
        "n_satisfaction_targets": [2, 0, 0],  # 员工满意度 under 效益指标 counts as a satisfaction target
        "satisfaction_target_min_pct": [90.0, None, None],
        "cost_target_wan": [0.56, 8.0, None],  # 0.4万 + 1600元; the 元/人 rate is left out
        "amount_wan": [0.56, 7.5, None],
        "amount_source": ["performance_budgets:project_total:资金总额", "projects", None],
        "cost_matches_amount": [True, False, None],
        "n_reused": [1, 1, 0],  # 维护次数 ≥4次 in both projects
        "first_line": [5, 9, 20],
    })
    want = want.astype({c: "Int64" for c in SUMMARY_COLUMNS if c.startswith("n_") or c == "first_line"})
    want = want.astype({c: "str" for c in ["doc_id", "scope", "project_name", "amount_source"]})
    want = want.astype({"satisfaction_target_min_pct": "float64", "cost_target_wan": "float64", "amount_wan": "float64",
                        "cost_matches_amount": "boolean"})
    assert_frame_equal(got, want)


@pytest.mark.parametrize("costs, amount, matches", [
    ("≤10万元", 10.0, True),
    ("≤10万元;≤5万元", 15.0, True),  # the sum of the cost targets
    ("≤10万元;≤5万元", 10.0, True),  # one of them (the other is part of it)
    ("≤10万元", 10.01, False),
    ("≤10万元", 10.004, True),  # within half a cent of 万元
])
def test_cost_matches_amount_by_one_target_or_their_sum(costs, amount, matches):
    lines = "\n".join(f"project | p | {i} | 成本指标 |  | 成本{i} | <= | {c[1:-2]} | 万元 |  | {c}"
                      for i, c in enumerate(costs.split(";"), start=1))
    budgets = _budgets([(1, "project", "p", None, None, "资金总额", amount)])
    got = summarize_indicators(enrich_indicators(indicators(lines)), pd.DataFrame(), budgets)
    assert got.loc[0, "cost_matches_amount"] == matches


# --- the five documents of data/raw -------------------------------------------------------------


def _enriched(corpus, doc_id: str) -> pd.DataFrame:
    return enrich_indicators(corpus[doc_id].frames["indicators"])


def _row(enriched: pd.DataFrame, line: int, indicator: str) -> pd.Series:
    hit = enriched[(enriched["line"] == line) & (enriched["indicator"] == indicator)]
    assert len(hit) == 1, f"{indicator} L{line}: {len(hit)} rows"
    return hit.iloc[0]


def _summary(corpus, doc_id: str) -> pd.DataFrame:
    frames = corpus[doc_id].frames
    return summarize_indicators(_enriched(corpus, doc_id), frames["projects"], frames["performance_budgets"])


def test_dazhou_staff_count_is_a_quantitative_headcount(corpus):
    # L520 of the 部门整体支出绩效目标表: 数量指标 | 2024年单位在职人员数量 | =41人
    row = _row(_enriched(corpus, "dazhou-dachuan_2024"), 520, "2024年单位在职人员数量")
    assert (row["scope"], row["value_kind"], row["unit_family"], row["direction"]) == (
        "department", "quantitative", "persons", "=")
    assert (row["target_value"], row["level2_norm"], row["level2_rule"]) == (41, "数量指标", "printed")


def test_dazhou_satisfaction_without_printed_level2_defaults_to_service_object(corpus):
    # L462: 满意度指标 | 群众满意度 ≥90% (the 二级指标 column repeats 满意度指标)
    row = _row(_enriched(corpus, "dazhou-dachuan_2024"), 462, "群众满意度")
    assert (row["level2_norm"], row["unit_family"], row["direction"]) == ("服务对象满意度指标", "percent", "≥")


@pytest.mark.parametrize("doc_id, line, indicator, level2, rule, family", [
    # Henan wide tables print no 二级指标: it is inferred
    ("luoyang-luolong_2024", 510, "系统运行维护响应时间", "时效指标", "keyword:时间", "time"),  # ≤2 小时
    ("luoyang-luolong_2024", 508, "业务应用系统维护数量", "数量指标", "unit:个", "count"),  # ≥4 个
    ("luoyang-luolong_2024", 501, "成本控制", "经济成本指标", "default:成本指标", "money"),  # ≤30.19 万元
    ("luoyang_2026", 434, "宣传成本", "经济成本指标", "default:成本指标", "money"),  # 2.5 万
    ("luoyang_2026", 537, "基金滚存结余可支配月数", "质量指标", "keyword:结余", "time"),  # ≥6个月
    ("kaifeng-xiangfu_2024", 464, "印刷合格率", "质量指标", "keyword:合格", "percent"),  # =100%
    ("kaifeng-xiangfu_2024", 447, "公众满意度", "服务对象满意度指标", "alias:满意度", "percent"),  # 效益指标 | 满意度
    ("zhaoyuan_2024", 538, "职工退休人员长护险财政补贴标准", "经济成本指标", "alias:经济成本", "money_rate"),  # ≤5 元/年/人
])
def test_level2_and_unit_family_of_real_indicators(corpus, doc_id, line, indicator, level2, rule, family):
    row = _row(_enriched(corpus, doc_id), line, indicator)
    assert (row["level2_norm"], row["level2_rule"], row["unit_family"]) == (level2, rule, family)


def test_every_indicator_of_the_corpus_is_classified_and_every_unit_known(corpus):
    enriched = count_reuse(pd.concat([_enriched(corpus, d) for d in corpus], ignore_index=True))
    assert enriched["level2_norm"].notna().all() and enriched["level2_norm"].ne("").all()
    assert enriched["level2_rule"].notna().all() and enriched["level2_rule"].ne("").all()
    assert unmatched_level2(enriched).empty and unknown_level2(enriched).empty
    assert unknown_units(enriched).empty
    other = enriched.loc[enriched["unit_family"].eq("other"), "unit"]
    assert other.isin(unit_families().index).all()  # each 'other' has its map row and note
    quantitative = enriched["value_kind"].eq("quantitative")
    assert enriched.loc[~quantitative, "unit_family"].isna().all()
    assert enriched.loc[~quantitative, "direction"].isna().all()


def test_reuse_in_the_corpus(corpus):
    enriched = count_reuse(pd.concat([_enriched(corpus, d) for d in corpus], ignore_index=True))
    kaifeng = enriched[enriched["doc_id"].eq("kaifeng-xiangfu_2024")]
    # 下乡次数 ≥50次 stands under both 2024年罚没收入 (L475) and 2024年非税收入 (L491)
    assert _row(kaifeng, 475, "下乡次数")["reuse_projects"] == 2
    # the department-wide template of Henan: 预算调整率 ≤30% in Kaifeng (L428) and Luolong (L467)
    assert _row(kaifeng, 428, "预算调整率")["reuse_docs"] == 2


def _project(summary: pd.DataFrame, name: str | None) -> pd.Series:
    hit = summary[summary["project_name"].eq(name)] if name else summary[summary["scope"].eq("department")]
    assert len(hit) == 1
    return hit.iloc[0]


def test_summary_has_one_row_per_project_and_one_for_the_department(corpus):
    summary = _summary(corpus, "dazhou-dachuan_2024")
    assert summary["scope"].tolist() == ["project"] * 6 + ["department"]
    assert list(summary.columns) == SUMMARY_COLUMNS
    department = _project(summary, None)
    # L517: 资金总额 4,187.90; L545: 2024年部门预算本级财政预算控制数 ≤4187.90万元
    assert department["amount_wan"] == 4187.90 and department["cost_matches_amount"]
    assert department["n_indicators"] == 32 and department["first_line"] == 520


def test_summary_costs_of_real_projects(corpus):
    luoyang = _summary(corpus, "luoyang_2026")
    car = _project(luoyang, "公务用车运行维护费")  # L455-459: 保险费 ≤0.4万, 保养费 ≤0.8万, 燃油费 ≤0.8万; 资金总额 2.00
    assert car["cost_target_wan"] == pytest.approx(2.0) and car["amount_wan"] == 2.0 and car["cost_matches_amount"]
    assert car["n_cost"] == 3
    kaifeng = _summary(corpus, "kaifeng-xiangfu_2024")
    # L483: the central-fund project of 861 万元 sets its cost target at the 1028 万元 of central and provincial funds
    central = _project(kaifeng, "提前下达2024年中央财政医疗救助补助资金（城乡医疗救助补助资金）")
    assert (central["amount_wan"], central["cost_target_wan"], central["cost_matches_amount"]) == (861.0, 1028.0, False)
    zhaoyuan = _summary(corpus, "zhaoyuan_2024")
    # L538-540: two standards in 元/年/人 (rates, left out) and 长护项目总成本控制数 ≤106 万元; 年度预算资金总额 106
    care = _project(zhaoyuan, "职工长护险财政补贴2024年106万")
    assert (care["n_cost"], care["cost_target_wan"], care["cost_matches_amount"]) == (3, 106.0, True)
    assert care["satisfaction_target_min_pct"] == 90.0


def test_money_target_named_per_person_is_a_rate_not_added_to_the_cost_target():
    enriched = enrich_indicators(indicators("""
        project | 公务接待 | 10 | 成本指标 |  | 公务接待单人成本 | <= | 150  | 元   |  | ≤150 元
        project | 公务接待 | 11 | 成本指标 |  | 公务接待总成本   | <= | 1.75 | 万元 |  | ≤1.75 万元
    """))
    assert enriched["unit_family"].tolist() == ["money_rate", "money"]
    budgets = _budgets([(10, "project", "公务接待", None, None, "project_total:资金总额", 1.75)])
    summary = summarize_indicators(enriched, pd.DataFrame(columns=["doc_id", "project_name", "amount_wan"]), budgets)
    assert summary.loc[0, "cost_target_wan"] == 1.75 and summary.loc[0, "cost_matches_amount"]


def test_reuse_ignores_the_extractions_spacing_in_names_and_targets():
    enriched = enrich_indicators(indicators("""
        project | 甲 | 1 | 满意度指标 |  | 群众 满意度 | >= | 90 | % |  | ≥9 0%
        project | 乙 | 2 | 满意度指标 |  | 群众满意度  | >= | 90 | % |  | ≥90%
    """))
    assert enriched["reuse_projects"].tolist() == [2, 2]


def test_luoyang_reception_cost_per_person_is_left_out_of_its_cost_target(corpus):
    reception = _project(_summary(corpus, "luoyang_2026"), "公务接待")  # 单人成本 ≤150 元 and 总成本 ≤1.75 万元
    assert reception["cost_target_wan"] == pytest.approx(1.75)
