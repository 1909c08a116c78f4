import pandas as pd

from helpers.config import PACKAGE_DIR
from helpers.pipeline.outputs import TABLE_NAMES


def test_data_dictionary_describes_every_column_of_every_table(corpus):
    dictionary = pd.read_csv(PACKAGE_DIR / "data_dictionary.csv", dtype=str, keep_default_na=False)
    assert (dictionary[["type", "description", "chinese_term"]] != "").all().all()
    for name in TABLE_NAMES:
        frames = [r.frames[name] for r in corpus.values()]
        assert list(dictionary.loc[dictionary["table"] == name, "column"]) == list(frames[0].columns), name
