"""Fitted scikit-learn models for the export/import spec (test/scripts/export-sklearn-model.spec.ts).

`make DIR` writes, besides the seed's iris_model.pkl (made by bench/baseline/train.py):
  gnb.joblib            GaussianNB(var_smoothing=1e-3) on iris with uneven priors
  cancer-lr.joblib      LogisticRegression(C=0.5, max_iter=5000) on data/breast-cancer-train.csv (2 classes)
  ovr.pkl               a 3-class LogisticRegression marked one-vs-rest, as pre-1.7 pickles can be
  nan.pkl               a LogisticRegression with one NaN coefficient
  tree.pkl              a DecisionTreeClassifier
  pipeline.pkl          StandardScaler + LogisticRegression
`proba MODEL` reads {"queries": [[...]]} on stdin and prints the model's predict_proba and
predict (as text) for them.
"""
import csv
import json
import os
import pickle
import sys
import warnings

import joblib
import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier


def dump(model, path: str) -> None:
    with open(path, "wb") as f:
        pickle.dump(model, f)


def make(out: str) -> None:
    X, y = load_iris(return_X_y=True)
    joblib.dump(GaussianNB(var_smoothing=1e-3).fit(X[10:], y[10:]), f"{out}/gnb.joblib")
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "data", "breast-cancer-train.csv")) as f:
        rows = list(csv.reader(f))[1:]
    Xc = np.array([[float(v) for v in r[:-1]] for r in rows])
    yc = np.array([r[-1] for r in rows])
    joblib.dump(LogisticRegression(C=0.5, max_iter=5000).fit(Xc, yc), f"{out}/cancer-lr.joblib")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lr = LogisticRegression(max_iter=1000).fit(X, y)
    ovr = pickle.loads(pickle.dumps(lr))
    ovr.multi_class = "ovr"
    dump(ovr, f"{out}/ovr.pkl")
    nan = pickle.loads(pickle.dumps(lr))
    nan.coef_[1, 2] = np.nan
    dump(nan, f"{out}/nan.pkl")
    dump(DecisionTreeClassifier(random_state=0).fit(X, y), f"{out}/tree.pkl")
    dump(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y), f"{out}/pipeline.pkl")


def proba(path: str) -> None:
    model = joblib.load(path) if path.endswith(".joblib") else pickle.load(open(path, "rb"))
    queries = np.asarray(json.load(sys.stdin)["queries"], dtype=np.float64)
    json.dump({"proba": model.predict_proba(queries).tolist(), "predict": [str(c) for c in model.predict(queries)]}, sys.stdout)


if __name__ == "__main__":
    {"make": make, "proba": proba}[sys.argv[1]](sys.argv[2])
