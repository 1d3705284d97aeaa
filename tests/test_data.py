"""Loaders for every format, column and label mapping, and each kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haltung.data import FIELDS, DataSpec, load_dataset
from haltung.errors import ConfigError, DataError

STANCE = ("supportive", "critical", "evasive", "none")
SENTIMENT = ("positive", "neutral", "negative")


def spec(path: Path, **kwargs) -> DataSpec:
    return DataSpec(path=path, **kwargs)


def write(frame: pd.DataFrame, path: Path) -> Path:
    """Write `frame` in the format named by the path's suffix."""
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif suffix == ".json":
        frame.to_json(path, orient="records", force_ascii=False)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".json", ".jsonl", ".parquet"])
def test_every_format_loads_the_same_records(tmp_path, stance_frame, suffix):
    path = write(stance_frame, tmp_path / f"corpus{suffix}")
    dataset = load_dataset(spec(path), STANCE)
    frame = dataset.frame
    assert list(frame.columns) == list(FIELDS)
    assert len(frame) == len(stance_frame)
    assert frame["id"].tolist() == stance_frame["id"].tolist()
    assert frame["text"].tolist() == stance_frame["text"].tolist()  # umlauts and „quotes“ intact
    assert frame["label"].tolist() == stance_frame["label"].tolist()
    assert (frame["split"] == "").all()
    assert list(dataset.files) == [str(path)] and len(dataset.files[str(path)]) == 64


def test_nested_json_dotted_columns_and_label_map(tmp_path):
    records = [
        {
            "uid": 7,
            "art": "a",
            "s": {"txt": "Der Dax stieg um 2,5 Prozent."},
            "meta": {"pol": "POS"},
        },
        {"uid": 8, "art": "a", "s": {"txt": "Das Wetter bleibt grau."}, "meta": {"pol": "NEG"}},
    ]
    path = tmp_path / "nested.json"
    path.write_text(json.dumps(records, ensure_ascii=False), "utf-8")
    columns = {"id": "uid", "doc_id": "art", "text": "s.txt", "label": "meta.pol", "actor": None}
    data = spec(path, columns=columns, label_map={"POS": "positive", "NEG": "negative"})
    frame = load_dataset(data, SENTIMENT).frame
    assert frame["id"].tolist() == ["7", "8"]
    assert frame["label"].tolist() == ["positive", "negative"]
    assert frame["text"].iloc[0] == "Der Dax stieg um 2,5 Prozent."


def test_null_ids_are_numbered_and_each_record_is_its_own_document(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("text,label\nGut so.,positive\nSchlecht.,negative\n", "utf-8")
    data = spec(path, columns={"id": None, "doc_id": None})
    frame = load_dataset(data, SENTIMENT).frame
    assert frame["id"].tolist() == ["plain-1", "plain-2"]
    assert frame["doc_id"].tolist() == frame["id"].tolist()


def test_folder_with_split_files(tmp_path, stance_frame):
    docs = sorted(stance_frame["doc_id"].unique())
    parts = {"train": docs[:16], "dev": docs[16:19], "test": docs[19:]}
    for name, chosen in parts.items():
        write(stance_frame[stance_frame["doc_id"].isin(chosen)], tmp_path / f"{name}.jsonl")
    (tmp_path / "README.md").write_text("# not data", "utf-8")
    dataset = load_dataset(spec(tmp_path), STANCE)
    assert dataset.has_fixed_split
    assert set(dataset.frame["split"]) == {"train", "dev", "test"}
    assert len(dataset.files) == 3


def problem(path: Path, content: str | bytes, labels=STANCE, **kwargs) -> str:
    if isinstance(content, str):
        path.write_text(content, "utf-8")
    else:
        path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        load_dataset(spec(path, **kwargs), labels)
    message = str(caught.value)
    assert str(path) in message
    assert "Traceback" not in message
    return message


def line(**record) -> str:
    base = {"id": "x1", "doc_id": "d1", "text": "Ein Satz.", "actor": "", "label": "none"}
    return json.dumps(base | record, ensure_ascii=False)


def test_missing_column_names_the_field_and_the_columns_present(tmp_path):
    message = problem(tmp_path / "a.csv", "id,doc_id,sentence,label\n1,d,Satz.,none\n")
    assert "field 'text'" in message and "column 'text' is missing" in message
    assert "sentence" in message and "data.columns.text" in message


def test_unknown_label_names_row_value_and_allowed_labels(tmp_path):
    content = "\n".join([line(id="a"), line(id="b", label="FAVOR")]) + "\n"
    message = problem(tmp_path / "a.jsonl", content)
    assert "line 2" in message and "field 'label'" in message and "'FAVOR'" in message
    assert "supportive, critical, evasive, none" in message and "label_map" in message


def test_label_map_fixes_unknown_labels(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(line(id="a", label="FAVOR") + "\n" + line(id="b", label="AGAINST") + "\n")
    data = spec(path, label_map={"FAVOR": "supportive", "AGAINST": "critical"})
    assert load_dataset(data, STANCE).frame["label"].tolist() == ["supportive", "critical"]


def test_empty_text(tmp_path):
    message = problem(tmp_path / "a.jsonl", line(id="a") + "\n" + line(id="b", text="   ") + "\n")
    assert "line 2, field 'text': the text is empty" in message


def test_duplicate_ids_point_to_the_first_use(tmp_path):
    message = problem(tmp_path / "a.csv", "id,doc_id,text,label\n7,d,A.,none\n7,d,B.,none\n")
    assert "row 2 (line 3), field 'id': duplicate id '7'" in message
    assert "first used at row 1" in message


def test_csv_rows_after_quoted_line_breaks_and_blank_lines_name_their_real_line(tmp_path):
    content = (
        "id,doc_id,text,label\n"
        '1,d,"Die Ministerin\nlobt den Plan.",none\n'  # lines 2-3
        "\n"  # line 4: blank
        '2,d,"Der Verband\n\nkritisiert ihn.",FAVOR\n'  # lines 5-7
        "3,d,Kurz.,BAD\n"  # line 8
    )
    message = problem(tmp_path / "a.csv", content)
    assert "row 2 (line 5), field 'label': unknown label 'FAVOR'" in message
    assert "row 3 (line 8), field 'label': unknown label 'BAD'" in message


def test_a_semicolon_csv_says_how_to_read_it(tmp_path):
    content = "id;doc_id;text;actor;label\n1;d;Die Ministerin lobt den Plan.;Die Ministerin;none\n"
    message = problem(tmp_path / "excel.csv", content)
    assert "column 'id' is missing" in message and "separated by ';'" in message
    assert "`delimiter: ';'` in the data config" in message and "++data.delimiter=';'" in message
    assert message.count("is missing") == 1  # one problem, not one per column
    frame = load_dataset(spec(tmp_path / "excel.csv", delimiter=";"), STANCE).frame
    assert frame["text"].tolist() == ["Die Ministerin lobt den Plan."]
    assert frame["actor"].tolist() == ["Die Ministerin"]


def test_a_tab_separated_csv_says_to_read_it_as_tsv(tmp_path):
    message = problem(tmp_path / "a.csv", "id\tdoc_id\ttext\tlabel\n1\td\tEin Satz.\tnone\n")
    assert "separated by tabs" in message and "++data.format=tsv" in message


def test_delimiter_from_a_data_config(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id|doc_id|text|label\n1|d|Ein Satz, mit Komma.|none\n", "utf-8")
    data = DataSpec.from_config({"path": str(path), "delimiter": "|"})
    assert load_dataset(data, STANCE).frame["text"].tolist() == ["Ein Satz, mit Komma."]
    assert DataSpec.from_config({"path": str(path), "delimiter": "\\t"}).delimiter == "\t"
    assert DataSpec.from_config({"path": str(path), "delimiter": None}).delimiter is None
    with pytest.raises(ConfigError, match=r"data\.delimiter ';;' must be one character"):
        DataSpec.from_config({"path": str(path), "delimiter": ";;"})


def test_bytes_that_are_not_utf8_name_the_line(tmp_path):
    content = (line(id="a") + "\n").encode() + line(id="b", text="Müller").encode("cp1252")
    message = problem(tmp_path / "a.jsonl", content)
    assert "line 2" in message and "not valid utf-8" in message and "iconv" in message


def test_declared_encoding_reads_legacy_files(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(
        "id,doc_id,text,label\n1,d,Bürgermeister Müller lobte es.,none\n".encode("cp1252")
    )
    frame = load_dataset(spec(path, encoding="cp1252"), STANCE).frame
    assert frame["text"].iloc[0] == "Bürgermeister Müller lobte es."


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.jsonl", "", "is empty"),
        ("blank.csv", "\n\n  \n", "is empty"),
        ("header.csv", "id,doc_id,text,label\n", "no records"),
        ("array.json", "[]", "no records"),
        ("broken.jsonl", '{"id": "1", "text": "A"\n', "line 1: not valid JSON"),
        ("scalar.jsonl", '"just a string"\n', "expected a JSON object"),
        ("object.json", '{"a": 1}', "expected a JSON array"),
        ("garbage.parquet", b"PAR1 not really parquet", "not a readable PARQUET file"),
        ("notes.txt", "id,text\n", "cannot tell the format"),
    ],
)
def test_malformed_files(tmp_path, name, content, expected):
    assert expected in problem(tmp_path / name, content)


def test_missing_path(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_dataset(spec(tmp_path / "nowhere.jsonl"), STANCE)


def test_document_in_two_splits(tmp_path):
    content = line(id="a", split="train") + "\n" + line(id="b", split="test") + "\n"
    message = problem(tmp_path / "a.jsonl", content)
    assert "document 'd1' is in several splits (test, train)" in message


def test_unknown_and_partial_split_values(tmp_path):
    content = "\n".join(
        [
            line(id="a", doc_id="1", split="train"),
            line(id="b", doc_id="2", split="holdout"),
            line(id="c", doc_id="3", split=""),
        ]
    )
    message = problem(tmp_path / "a.jsonl", content)
    assert "unknown split 'holdout'" in message and "line 3, field 'split'" in message


def test_many_problems_are_summarised_in_one_paragraph(tmp_path):
    content = "\n".join(line(id=f"r{i}", label="?") for i in range(30))
    message = problem(tmp_path / "a.jsonl", content)
    assert "\n" not in message
    assert "22 more problems not shown" in message


# Fuzzing: whatever the bytes, a loader answers with records or a DataError, nothing else.
cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
rows = st.lists(
    st.fixed_dictionaries({"id": cells, "doc_id": cells, "text": cells, "label": cells}), max_size=6
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.binary(max_size=300),
    suffix=st.sampled_from([".csv", ".tsv", ".json", ".jsonl", ".parquet"]),
)
def test_fuzz_random_bytes(tmp_path, content, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(content)
    try:
        dataset = load_dataset(spec(path), STANCE)
    except DataError as err:
        assert str(err)
    else:
        assert set(dataset.frame["label"]) <= set(STANCE)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=rows, suffix=st.sampled_from([".csv", ".tsv", ".json", ".jsonl", ".parquet"]))
def test_fuzz_structured_records(tmp_path, records, suffix):
    path = write(
        pd.DataFrame(records, columns=["id", "doc_id", "text", "label"]), tmp_path / f"f{suffix}"
    )
    try:
        frame = load_dataset(spec(path), STANCE).frame
    except DataError as err:
        assert str(path) in str(err)
    else:
        assert len(frame) == len(records)
        assert frame["text"].str.strip().ne("").all()
        assert frame["label"].isin(STANCE).all()
        assert not frame["id"].duplicated().any()
