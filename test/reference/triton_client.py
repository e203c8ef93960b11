"""Triton's Python client (tritonclient) against the gateway, for test/triton-client.embedded.e2e-spec.ts.

argv:   <http host:port> <grpc host:port> <api key> <model version> <rows as JSON: [[4 floats], ...]>
stdout: JSON with what the client reports: health, metadata, and the outputs of inference over
        HTTP (JSON tensors) and gRPC (raw tensors, the client's only form), with the model's
        version and with the named one.
The client is used as its documentation shows: numpy in, numpy out; nothing here knows the server.
"""
import json
import sys

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

http_url, grpc_url, api_key, version = sys.argv[1:5]
rows = np.array(json.loads(sys.argv[5]), dtype=np.float32)
OUTPUTS = ("label", "class_id", "probabilities")


def outputs_of(result):
    label, class_id, probabilities = (result.as_numpy(name) for name in OUTPUTS)
    return {
        "label": [v.decode() if isinstance(v, bytes) else str(v) for v in label.tolist()],
        "class_id": class_id.tolist(),
        "probabilities": probabilities.tolist(),
        "probabilities_dtype": str(probabilities.dtype),
        "shape": list(probabilities.shape),
    }


http = httpclient.InferenceServerClient(url=http_url)
http_headers = {"Authorization": f"Bearer {api_key}"}
http_input = httpclient.InferInput("input-0", list(rows.shape), "FP32")
http_input.set_data_from_numpy(rows, binary_data=False)
http_outputs = [httpclient.InferRequestedOutput(name, binary_data=False) for name in OUTPUTS]
http_result = http.infer("iris", [http_input], outputs=http_outputs, request_id="triton-http", headers=http_headers)

grpc = grpcclient.InferenceServerClient(url=grpc_url)
grpc_headers = {"authorization": f"Bearer {api_key}"}
grpc_input = grpcclient.InferInput("input-0", list(rows.shape), "FP32")
grpc_input.set_data_from_numpy(rows)
grpc_result = grpc.infer("iris", [grpc_input], request_id="triton-grpc", headers=grpc_headers)
grpc_named = grpc.infer("iris", [grpc_input], model_version=version, headers=grpc_headers)

print(
    json.dumps(
        {
            "http": {
                "live": http.is_server_live(),
                "ready": http.is_server_ready(),
                "model_ready": http.is_model_ready("iris", headers=http_headers),
                "server_metadata": http.get_server_metadata(headers=http_headers),
                "model_metadata": http.get_model_metadata("iris", headers=http_headers),
                "id": http_result.get_response()["id"],
                "model_version": http_result.get_response()["model_version"],
                "outputs": outputs_of(http_result),
            },
            "grpc": {
                "live": grpc.is_server_live(),
                "ready": grpc.is_server_ready(),
                "model_ready": grpc.is_model_ready("iris", version, headers=grpc_headers),
                "model_metadata": grpc.get_model_metadata("iris", headers=grpc_headers, as_json=True),
                "id": grpc_result.get_response().id,
                "model_version": grpc_named.get_response().model_version,
                "outputs": outputs_of(grpc_result),
                "named_outputs": outputs_of(grpc_named),
            },
        }
    )
)
