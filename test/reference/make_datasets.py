"""Writes the wine and breast-cancer CSV fixtures in data/ from scikit-learn's bundled copies.

Each dataset becomes <name>-train.csv and <name>-test.csv: a stratified split (test_size 0.25,
random_state 42), a header row with the feature names in snake_case and a last column `class`
holding the class names (wine: class_0..class_2; breast cancer: malignant, benign). The CSVs are
committed so README's examples and the parity specs read the same files; this script exists so
they can be re-derived and audited offline (load_wine / load_breast_cancer read files shipped
inside scikit-learn, no download).
Usage: .tools/venv/bin/python test/reference/make_datasets.py [out_dir, default data]
"""
import csv
import os
import re
import sys

try:
    from sklearn.datasets import load_breast_cancer, load_wine
    from sklearn.model_selection import train_test_split
except ImportError:
    sys.exit("scikit-learn is not installed: run `bash scripts/test-prereqs.sh` (it makes .tools/venv)")

TEST_SIZE = 0.25
RANDOM_STATE = 42
LABEL = "class"


def snake_case(name: str) -> str:
    # 'od280/od315_of_diluted_wines' and 'mean radius' become plain identifiers, like iris's feature names.
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def cell(value: float) -> str:
    # repr is the shortest text that parses back to the same float; integral values drop the '.0'.
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def write(path: str, header: list, X, labels) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for row, label in zip(X, labels):
            writer.writerow([cell(v) for v in row] + [label])


def main(out_dir: str) -> None:
    for name, load in (("wine", load_wine), ("breast-cancer", load_breast_cancer)):
        bunch = load()
        header = [snake_case(f) for f in bunch.feature_names] + [LABEL]
        assert len(set(header)) == len(header), f"{name}: snake_case names collide"
        labels = [str(bunch.target_names[t]) for t in bunch.target]
        X_train, X_test, y_train, y_test = train_test_split(
            bunch.data, labels, test_size=TEST_SIZE, random_state=RANDOM_STATE, stratify=labels
        )
        for part, X, y in (("train", X_train, y_train), ("test", X_test, y_test)):
            path = os.path.join(out_dir, f"{name}-{part}.csv")
            write(path, header, X, y)
            print(f"{path}: {len(y)} rows, {len(header) - 1} features, classes {sorted(set(y))}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data")
