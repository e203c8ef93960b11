"""Reads the trainer's MLflow mirror back with MLflow's official Python client, for
test/mlflow.kafka.e2e-spec.ts. Connection and credentials come from MLFLOW_TRACKING_URI,
MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, as for any MLflow user.

    python mlflow_client.py <experiment> <job_id> <model>

Prints one JSON object: the runs of the job (with params, metrics, tags and the listing of
their model/ artifacts), the version `models:/<model>@champion` resolves to, and the class
probabilities of one flower scored with scikit-learn from the champion's model.json, loaded
as the artifact's README says.
"""

import json
import sys
import tempfile

import numpy as np
from mlflow import MlflowClient
from mlflow.artifacts import download_artifacts
from sklearn.naive_bayes import GaussianNB

experiment_name, job_id, model = sys.argv[1:4]
client = MlflowClient()
experiment = client.get_experiment_by_name(experiment_name)
runs = client.search_runs([experiment.experiment_id], filter_string=f"tags.job_id = '{job_id}'")
champion = client.get_model_version_by_alias(model, "champion")

with tempfile.TemporaryDirectory() as tmp:
    path = download_artifacts(f"models:/{model}@champion/model.json", dst_path=tmp)
    with open(path) as f:
        artifact = json.load(f)
params = artifact["params"]
nb = GaussianNB(var_smoothing=params["varSmoothing"])
nb.classes_ = np.array(params["classNames"])
nb.theta_ = np.array(params["means"])
nb.var_ = np.array(params["variances"])
nb.class_prior_ = np.exp(params["logPriors"])
nb.class_count_ = np.array(params["classCounts"], dtype=float)
nb.epsilon_ = params["epsilon"]
nb.n_features_in_ = len(params["featureNames"])

print(
    json.dumps(
        {
            "runs": [
                {
                    "run_id": r.info.run_id,
                    "run_name": r.info.run_name,
                    "status": r.info.status,
                    "params": r.data.params,
                    "metrics": r.data.metrics,
                    "tags": {k: v for k, v in r.data.tags.items() if not k.startswith("mlflow.")},
                    "artifacts": [a.path for a in client.list_artifacts(r.info.run_id, "model")],
                }
                for r in runs
            ],
            "champion": {"version": champion.version, "run_id": champion.run_id, "tags": champion.tags},
            "champion_checksum": artifact["checksum"],
            "probabilities": nb.predict_proba([[5.1, 3.5, 1.4, 0.2]])[0].tolist(),
        }
    )
)
