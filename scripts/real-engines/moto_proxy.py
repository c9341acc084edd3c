"""moto's HTTPS proxy (moto[server], pinned in scripts/real-engines/tf.mjs) with one moto bug worked around.

moto 5.2.5 crashes (HTTP 502, "'str' object has no attribute 'get'") in PutBucketLogging when the target bucket's
policy has a statement whose Principal is the string "*" (valid IAM, and our TLS-only deny statement). The check
it was making is exactly the one we want (is the log delivery service allowed to write to the target bucket?), so
string principals are skipped in that check instead of crashing it. Nothing else is changed.

Usage: python moto_proxy.py -H 127.0.0.1 -p PORT
"""
import json
import sys

from moto.moto_proxy.proxy3 import ProxyRequestHandler
from moto.s3.models import FakeBucket

_original = FakeBucket._log_permissions_enabled_policy


def _log_permissions_enabled_policy(target_bucket, target_prefix):
    policy = target_bucket.policy
    if not policy:
        return _original(target_bucket=target_bucket, target_prefix=target_prefix)
    document = json.loads(policy.decode())
    document["Statement"] = [s for s in document.get("Statement", []) if isinstance(s.get("Principal"), dict)]
    target_bucket.policy = json.dumps(document).encode()
    try:
        return _original(target_bucket=target_bucket, target_prefix=target_prefix)
    finally:
        target_bucket.policy = policy


FakeBucket._log_permissions_enabled_policy = staticmethod(_log_permissions_enabled_policy)

# The proxy closes the connection after every response without saying so, so Go's HTTP client (the Terraform
# provider's) reuses a dead connection and the request fails ("server closed idle connection") and is retried with
# backoff: a 17-resource apply took a minute. Saying "Connection: close" lets the client open a new one at once.
_end_headers = ProxyRequestHandler.end_headers


def _end_headers_closing(self):
    if self.command != "CONNECT":
        self.send_header("Connection", "close")
    _end_headers(self)


ProxyRequestHandler.end_headers = _end_headers_closing

from moto.proxy import main  # noqa: E402  (after the patch)

main(sys.argv[1:])
