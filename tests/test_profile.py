"""Spending profile: rules on tiny inputs, and figures a person can check in the documents."""
import pandas as pd
import pytest

from helpers.analysis.profile import (
    attach_function_codes,
    classify_project,
    econ_project_amounts,
    find_headcount,
)
from helpers.frames import plain_strings


def measure(result, name: str) -> float:
    profile = result.frames["spending_profile"]
    hit = profile[profile["measure"] == name]
    assert len(hit) == 1, f"{name}: {len(hit)} rows"
    return float(hit.iloc[0]["value"])


@pytest.mark.parametrize("name, project_type, func_code, rule_id", [
    ("人员类-2024年劳务派遣", "其他运转类", None, "name_agency_staff"),
    ("2024年人员工资及社保费", "其他运转类", "2101599", "name_salary"),  # personnel rules come before function codes
    ("任意项目", "人员类", None, "type_personnel"),
    ("特殊人群医疗统筹金及管理经费", "特定目标类", "2101401", "func_entitled_groups"),  # the code outranks 经费
    ("特殊人群医疗统筹金及管理经费", "特定目标类", None, "name_admin"),
    ("城乡医疗救助区级配套资金", "特定目标类", None, "name_medical_assistance"),  # 救助 outranks 配套
    ("城乡居民基本医疗保险委托经办", "特定目标类", None, "name_admin"),  # handling fees run the bureau's services
    ("城乡居民基本医疗保险中央补助资金-实际下达", "特定目标类", None, "name_insurance_fund"),
    ("2024年非税收入", "特定目标类", None, "default_admin"),
])
def test_classify_project_takes_the_first_matching_rule(name, project_type, func_code, rule_id):
    assert classify_project(name, project_type, func_code).rule_id == rule_id


def test_attach_function_codes_only_on_a_unique_amount():
    items = pd.DataFrame({"func_code": ["2101299", "2101506", "2101599"], "project_wan": [600.0, 30.0, 5.0]})
    with plain_strings():  # as a worker holds them: the codes in a block of objects
        projects = pd.DataFrame({
            "doc_id": "d", "table_kind": "projects", "line": [1, 2, 3, 4], "project_name": ["a", "b", "c", "d"],
            "project_type": None, "amount_wan": [600.0, 30.0, 30.0, 5.0], "func_code": [None, None, None, "2101501"],
        })
        out = attach_function_codes(projects, items)
    assert out["func_code"].fillna("").tolist() == ["2101299", "", "", "2101501"]
    assert out["func_code_source"].tolist() == ["amount_match", "none", "none", "printed"]
    assert projects["func_code"].tolist() == [None, None, None, "2101501"]  # the projects as printed, untouched


def test_econ_project_amounts_subtract_the_basic_part():
    econ = pd.DataFrame({
        "table_kind": ["econ_summary", "econ_summary", "general_basic_econ"],
        "row_type": "item", "econ_code": ["30101", "30226", "30101"], "econ_name": ["基本工资", "劳务费", "基本工资"],
        "line": [10, 11, 20], "total_wan": [84.02, 30.19, None], "basic_wan": [None, None, 80.0], "project_wan": None,
    })
    out = econ_project_amounts(econ)
    assert dict(zip(out["econ_code"], out["project_wan"], strict=True)) == {"30101": 4.02, "30226": 30.19}


def test_find_headcount_reads_the_bureau_staff_not_beneficiaries():
    indicators = pd.DataFrame({
        "indicator": ["区机关事业单位在职、退休人数", "2024年单位在职人员数量"], "unit": ["人", "人"],
        "target_value": [3000.0, 41.0], "line": [5, 9],
    })
    assert find_headcount(indicators, []) == (41.0, "indicator", 9)
    assert find_headcount(indicators.iloc[:1], [(3, "本单位实有人数12人，离退休人员3人。")]) == (12.0, "narrative", 3)
    assert find_headcount(indicators.iloc[:1], [(3, "离退休人员3人")]) is None


def test_kaifeng_books_everything_as_projects_and_its_personnel_cost_shows(corpus):
    kaifeng = corpus["kaifeng-xiangfu_2024"]
    assert measure(kaifeng, "basic_wan") == 0
    # 支出经济分类汇总表 L338-L360: 30108 2.50 + 30110 1.20 + 30101 16.30 + 30106 伙食补助费 24.00
    assert measure(kaifeng, "project_personnel_by_econ_wan") == pytest.approx(44.0)
    # 项目支出表 L398: 2024年人员工资及社保费 20
    assert measure(kaifeng, "project_personnel_by_projects_wan") == pytest.approx(20.0)
    assert measure(kaifeng, "personnel_total_wan") == pytest.approx(44.0)
    # Transfers: 82.55 + 600 + 1028 (L399-L401) of 1830.55
    assert measure(kaifeng, "transfers_wan") == pytest.approx(1710.55)
    assert measure(kaifeng, "project_admin_wan") == pytest.approx(1830.55 - 1710.55 - 44.0)


@pytest.mark.parametrize("doc_id, transfers, insurance_fund", [
    ("dazhou-dachuan_2024", 3500.0, 3000.0),           # 一般公共预算项目支出表 L404, L406
    ("luoyang-luolong_2024", 4687.31, 4028.01),        # 项目支出表 L429-L432
    ("luoyang_2026", 262764.0, 261164.0),              # five 城乡居民基本医疗保险补助资金 rows + 城乡医疗救助 1600
    ("zhaoyuan_2024", 3792.90, 106.0),                 # all but DRG试点工作经费 10 and 业务经费 9.37 of 3812.27
])
def test_transfers_are_separated_from_administration(corpus, doc_id, transfers, insurance_fund):
    result = corpus[doc_id]
    assert measure(result, "transfers_wan") == pytest.approx(transfers)
    assert measure(result, "transfers_insurance_fund_wan") == pytest.approx(insurance_fund)
    # The function codes of 支出总表 classed by the same rules give the same total.
    assert measure(result, "transfers_by_function_wan") == pytest.approx(transfers)


def test_headcount_is_used_where_disclosed(corpus):
    dazhou = corpus["dazhou-dachuan_2024"]
    assert measure(dazhou, "headcount") == 41  # L520 2024年单位在职人员数量 =41人
    assert measure(dazhou, "personnel_per_staff_wan") == pytest.approx(554.06 / 41, abs=1e-4)
    for doc_id in ("kaifeng-xiangfu_2024", "luoyang_2026", "zhaoyuan_2024", "luoyang-luolong_2024"):
        assert "headcount" not in set(corpus[doc_id].frames["spending_profile"]["measure"])


def test_every_project_has_a_class_and_a_rule(corpus):
    for result in corpus.values():
        classes = result.frames["project_classes"]
        assert len(classes) == len(result.frames["projects"])
        assert classes["spending_class"].isin(["transfer", "personnel", "administrative"]).all()
        assert classes["rule_id"].notna().all() and classes["rule"].notna().all()
        profile = result.frames["spending_profile"]
        # The profile's administrative projects are the projects classed so, less the personnel cost the
        # economic codes find inside them beyond the projects classed personnel.
        admin_classed = classes.loc[classes["spending_class"] == "administrative", "amount_wan"].sum()
        beyond = measure(result, "project_personnel_wan") - measure(result, "project_personnel_by_projects_wan")
        assert measure(result, "project_admin_wan") == pytest.approx(admin_classed - beyond)
        assert profile["unit"].notna().all()
