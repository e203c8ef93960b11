"""The seed's inference service, reproduced as the bench baseline.

FastAPI + the pickled scikit-learn LogisticRegression: `predict` and `predict_proba` per request,
and one JSON log line per request appended to a file, in the seed's shape (input, prediction,
latency and `input_stats`). Run with uvicorn, one worker.

Env: BASELINE_MODEL (pickle written by train.py), BASELINE_LOG_FILE (the prediction log).
"""

import json
import logging
import math
import os
import pickle
import time

import numpy as np
from fastapi import FastAPI
from pydantic import BaseModel

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")

with open(os.environ["BASELINE_MODEL"], "rb") as f:
    model = pickle.load(f)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": self.formatTime(record),
            "level": record.levelname.lower(),
            "message": record.getMessage(),
            "module": record.module,
        }
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry)


logger = logging.getLogger("prediction")
logger.setLevel(logging.INFO)
logger.propagate = False
handler = logging.FileHandler(os.environ["BASELINE_LOG_FILE"])
handler.setFormatter(JsonFormatter())
logger.addHandler(handler)


class InputStats:
    """Running mean and standard deviation of every input seen (Welford): the seed's input_stats."""

    def __init__(self) -> None:
        self.count = 0
        self.mean = [0.0] * len(FEATURES)
        self.m2 = [0.0] * len(FEATURES)

    def observe(self, x: list) -> dict:
        self.count += 1
        for i, v in enumerate(x):
            delta = v - self.mean[i]
            self.mean[i] += delta / self.count
            self.m2[i] += delta * (v - self.mean[i])
        return {
            name: {"mean": round(self.mean[i], 2), "std": round(math.sqrt(self.m2[i] / self.count), 2)}
            for i, name in enumerate(FEATURES)
        }


stats = InputStats()
app = FastAPI(title="Iris classifier (seed baseline)")


class IrisFeatures(BaseModel):
    sepal_length: float
    sepal_width: float
    petal_length: float
    petal_width: float


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}


@app.post("/predict")
async def predict(features: IrisFeatures) -> dict:
    started = time.perf_counter()
    request_id = str(time.time_ns() // 1000)
    x = [features.sepal_length, features.sepal_width, features.petal_length, features.petal_width]
    row = np.array([x])
    class_id = int(model.predict(row)[0])
    confidence = float(model.predict_proba(row)[0][class_id])
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    logger.info(
        "Inference successful.",
        extra={
            "fields": {
                "endpoint": "/predict",
                "status": "success",
                "latency_ms": latency_ms,
                "request_id": request_id,
                "input": features.model_dump(),
                "prediction": {"class": class_id, "confidence": round(confidence, 4)},
                "input_stats": stats.observe(x),
            }
        },
    )
    return {"prediction": class_id, "confidence": confidence, "request_id": request_id, "latency_ms": latency_ms}
