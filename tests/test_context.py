"""Context as model input: what an answer replies to reaches baselines, transformers and the
saved model, and models trained without it ignore it."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from conftest import run_in_process
from haltung import StanceClassifier
from haltung.config import compose
from haltung.errors import HaltungError
from haltung.models import ActorText, as_input_frame, build_estimator
from haltung.models.inputs import tail
from haltung.tracking.pyfunc import save_model_folder

STANCE = ("supportive", "critical", "evasive", "none")
ANSWER = "Das sehe ich anders."


def answers(n: int = 40) -> pd.DataFrame:
    """The same answer twice as often: only the question tells critical from supportive."""
    questions = {
        "critical": "Warum streichen Sie die Förderung der Pflegeheime?",
        "supportive": "Wird das Kindergeld nicht wirkungslos verpuffen?",
    }
    rows = [
        {"text": ANSWER, "actor": "Ministerin", "context": questions[label], "label": label}
        for _ in range(n // 2)
        for label in questions
    ]
    return pd.DataFrame(rows)


def fitted(context_template: str | None):
    overrides = ["model=tfidf_logreg", f"model.context_template={context_template or 'null'}"]
    estimator = build_estimator(compose(overrides).model)
    frame = answers()
    return estimator.fit(frame[["text", "actor", "context"]], frame["label"])


def test_context_template_joins_the_tail_of_the_context():
    frame = pd.DataFrame(
        {"text": ["Nein."] * 2, "actor": ["Minister", ""], "context": ["Kommt es?", ""]}
    )
    joined = ActorText("{actor} » {text}", "{input} ¶ {context}").transform(frame)
    assert joined.tolist() == ["Minister » Nein. ¶ Kommt es?", "Nein."]
    assert ActorText("{actor} » {text}").transform(frame).tolist() == ["Minister » Nein.", "Nein."]
    question = "Vielen Dank, Frau Präsidentin. " * 20 + "Wann kommt das Gesetz?"
    kept = tail(question, 60)
    assert kept.endswith("Wann kommt das Gesetz?") and len(kept) <= 60
    assert not kept.startswith("ank")  # cut at a word


def test_a_model_with_context_reads_it_and_one_without_cannot():
    frame = answers()
    with_context = fitted("'{input} ¶ {context}'")
    predicted = with_context.predict(frame[["text", "actor", "context"]])
    assert (predicted == frame["label"]).all()
    without = fitted(None)
    assert len(set(without.predict(frame[["text", "actor", "context"]]))) == 1


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A saved baseline that reads the context."""
    return save_model_folder(
        fitted("'{input} ¶ {context}'"),
        STANCE,
        tmp_path_factory.mktemp("context") / "model",
        answers()[["text", "actor", "context"]].head(2),
        {"task": "stance"},
    )


def test_stance_classifier_and_pyfunc_take_contexts(folder):
    frame = answers()
    clf = StanceClassifier.load(folder)
    questions = frame["context"].head(2).tolist()
    assert clf.predict([ANSWER] * 2, "Ministerin", questions) == frame["label"].head(2).tolist()
    assert clf.predict_proba([ANSWER], contexts=questions[:1]).shape == (1, 4)
    import mlflow

    pyfunc = mlflow.pyfunc.load_model(str(folder))
    out = pyfunc.predict(pd.DataFrame({"text": [ANSWER] * 2, "context": questions}))
    assert out["predicted"].tolist() == frame["label"].head(2).tolist()


def test_contexts_must_match_the_texts():
    with pytest.raises(HaltungError, match="Got 2 texts but 1 contexts"):
        as_input_frame(["a", "b"], contexts=["c"])
    assert as_input_frame(["a"], contexts=None)["context"].tolist() == [""]


def test_predict_reads_context_from_jsonl(folder):
    frame = answers()
    lines = frame.head(2)[["text", "actor", "context"]].to_json(
        orient="records", lines=True, force_ascii=False
    )
    done = run_in_process(
        "haltung", "predict", "--model", str(folder), "--format", "csv", stdin=lines
    )
    assert done.returncode == 0, done.stderr
    out = pd.read_csv(io.StringIO(done.stdout))
    assert out["label"].tolist() == frame["label"].head(2).tolist()


def test_transformer_reads_the_context_as_second_segment():
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    frame = answers(8)
    model = build_estimator(compose(["model=tiny", "model.estimator.context_input=pair"]).model)
    model.set_params(epochs=1).fit(frame[["text", "actor", "context"]], frame["label"])
    encoded = model._encode(frame[["text", "actor", "context"]])
    assert encoded[0]["input_ids"] != encoded[1]["input_ids"]  # the questions differ
    assert 1 in encoded[0]["token_type_ids"]  # the question is the second segment
    model.set_params(context_input="none")
    alone = model._encode(frame[["text", "actor", "context"]])
    assert alone[0]["input_ids"] == alone[1]["input_ids"]
    with pytest.raises(Exception, match="context_input must be pair or none"):
        model.set_params(context_input="both").fit(frame, frame["label"])
    assert np.isfinite(model.set_params(context_input="pair").predict_proba(frame)).all()
