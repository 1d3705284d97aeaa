"""The reference for `benchmarks/train.py`: the default `haltung-train` fit in bare scikit-learn.

    python benchmarks/bare_sklearn.py [DATA.jsonl] [MODEL.joblib]

Loads HaltungNews, joins actor and sentence as the default model does ("{actor} » {text}"),
fits word uni- and bigram TF-IDF + logistic regression with the parameters of
conf/model/tfidf_logreg.yaml (seed 1), predicts the test split and saves the model with joblib.
Nothing from haltung is imported: this is what the same work costs without the harness.
"""

from __future__ import annotations

import sys
from pathlib import Path

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "haltung-news" / "haltung-news.jsonl"


def joined(frame: pd.DataFrame) -> list[str]:
    """The default model's input: "{actor} » {text}", or the sentence alone without an actor."""
    actors = frame["actor"].fillna("").astype(str).str.strip()
    return [f"{a} » {t}" if a else t for t, a in zip(frame["text"], actors, strict=True)]


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("model.joblib")
    frame = pd.read_json(data, lines=True, dtype=False)
    train, test = frame[frame["split"] == "train"], frame[frame["split"] == "test"]
    model = Pipeline(
        [
            ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)),
            (
                "clf",
                LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced", random_state=1),
            ),
        ]
    )
    model.fit(joined(train), train["label"])
    predicted = model.predict(joined(test))
    joblib.dump(model, out)
    accuracy = float((predicted == test["label"].to_numpy()).mean())
    print(f"train {len(train)}, test {len(test)}, accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
