"""POST an oversized JSON body the way Python clients do (the whole body written before the
answer is read) and print what the client saw, as JSON: the status and error code, or the
exception that ended the exchange.

    python post_oversized.py <url> <body bytes> urllib|urllib-chunked|requests

urllib-chunked sends the body without a length (Transfer-Encoding: chunked), so the gateway
finds it too large while reading it rather than from Content-Length.
"""
import json
import sys
import urllib.error
import urllib.request

url, size, client = sys.argv[1], int(sys.argv[2]), sys.argv[3]
body = b'{"pad":"' + b"x" * (size - 10) + b'"}'
headers = {"Content-Type": "application/json"}


def report(status, payload):
    print(json.dumps({"client": client, "status": status, "error": json.loads(payload).get("error")}))


try:
    if client.startswith("urllib"):
        data = (body[i : i + 65536] for i in range(0, len(body), 65536)) if client == "urllib-chunked" else body
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers, method="POST"), timeout=30) as res:
                report(res.status, res.read())
        except urllib.error.HTTPError as err:
            report(err.code, err.read())
    else:
        import requests

        res = requests.post(url, data=body, headers=headers, timeout=30)
        report(res.status_code, res.content)
except Exception as err:  # the point of the script: what a client sees when it cannot read the answer
    cause = getattr(err, "reason", None) or err.__cause__ or err.__context__
    print(json.dumps({"client": client, "exception": type(err).__name__, "cause": type(cause).__name__ if cause else None}))
