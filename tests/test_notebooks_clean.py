"""Notebooks are committed without outputs or execution counts, with one `parameters` cell papermill can fill."""
import nbformat
import pytest

from helpers.report.runner import BUREAU_NOTEBOOK, COMPARISON_NOTEBOOK, NOTEBOOKS_DIR

NOTEBOOKS = sorted(p for p in NOTEBOOKS_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def test_the_runners_notebooks_exist():
    assert {BUREAU_NOTEBOOK, COMPARISON_NOTEBOOK} <= {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_outputs_and_no_execution_counts(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, cell in enumerate(nb.cells)
             if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} keep outputs or execution counts; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_one_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [cell for cell in nb.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code"
