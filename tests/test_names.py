"""Project codes of the performance tables attached to the budget's projects."""
import pandas as pd

from helpers.tables.names import attach_project_codes


def test_attach_project_codes_takes_the_first_coded_row_of_each_name():
    projects = pd.DataFrame({"project_name": ["信息化建设项目", "医保宣传经费", "无关项目"]})
    perf = pd.DataFrame({
        "project_name": ["信息化建设", "信息化建设", "医保宣传经费", "医保宣传经费", None],
        "project_code": [None, "A1", "B1", "B2", "C1"],
    })
    projects = attach_project_codes(projects, perf, pd.DataFrame())
    # 信息化建设's first row has no code: its second row's code is the one; 医保宣传经费 keeps its first code.
    assert projects["project_code"].fillna("").tolist() == ["A1", "B1", ""]
    assert projects["performance_name"].fillna("").tolist() == ["信息化建设", "医保宣传经费", ""]
