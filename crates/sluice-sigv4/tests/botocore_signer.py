"""Signs fixed requests with botocore's own SigV4Auth and prints them as JSON, for tests/botocore.rs.

botocore reads the clock through botocore.auth.get_current_datetime; it is replaced by a fixed time
so the signatures are reproducible. The Host header is left out, as botocore leaves it to the HTTP
layer (it signs the host it derives from the URL).
"""

import datetime
import json
import sys

import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

FIXED = datetime.datetime(2015, 8, 30, 12, 36, 0)
botocore.auth.get_current_datetime = lambda *args, **kwargs: FIXED

CASES = [
    {
        "name": "ListPipelines",
        "url": "http://127.0.0.1:7700/",
        "headers": {
            "X-Amz-Target": "CodePipeline_20150709.ListPipelines",
            "Content-Type": "application/x-amz-json-1.1",
            "User-Agent": "aws-cli/2.0 botocore",
        },
        "body": "{}",
    },
    {
        "name": "odd path, query and header spacing",
        "url": "http://127.0.0.1:7700/a%20b/./c//d%2Fe/?b=2&a=x%2Fy&a=1",
        "headers": {
            "X-Amz-Target": "CodePipeline_20150709.GetPipeline",
            "Content-Type": "application/x-amz-json-1.1",
            "X-Custom": "  several   spaces\tand a tab  ",
        },
        "body": '{"name":"p ü"}',
    },
]

out = []
for case in CASES:
    request = AWSRequest(method="POST", url=case["url"], data=case["body"].encode(), headers=dict(case["headers"]))
    auth = SigV4Auth(Credentials(sys.argv[1], sys.argv[2]), "codepipeline", "us-east-1")
    # Keep the canonical request botocore signed (computing it afterwards would include Authorization).
    signed = {}
    canonical_request = auth.canonical_request
    auth.canonical_request = lambda req: signed.setdefault("canonical_request", canonical_request(req))
    auth.add_auth(request)
    out.append({
        "name": case["name"],
        "url": case["url"],
        "body": case["body"],
        "headers": [[name, value] for name, value in request.headers.items()],
        "canonical_request": signed["canonical_request"],
    })
print(json.dumps(out))
