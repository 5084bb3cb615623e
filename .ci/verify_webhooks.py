"""Checks our webhook signatures with the reference implementation of the Standard Webhooks
specification (the `standardwebhooks` package): subscribes a local receiver to a running server,
makes an event, and verifies what arrives. Usage: verify_webhooks.py BASE_URL ADMIN_TOKEN"""
import http.server
import json
import sys
import threading
import time
import urllib.request

from standardwebhooks.webhooks import Webhook

base, token = sys.argv[1], sys.argv[2]
received = []


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{server.server_address[1]}/hook"


def call(method, path, body):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as res:
        return json.loads(res.read())


sub = call("POST", "/api/v1/webhooks", {"url": url, "event_types": ["vendor.created"]})
vendor = call("POST", "/api/v1/vendors", {"name": f"Webhook check {time.time_ns()}"})
deadline = time.time() + 60
while not received and time.time() < deadline:
    time.sleep(0.1)
if not received:
    sys.exit("no webhook arrived within 60 s")
headers, body = received[0]
lower = {k.lower(): v for k, v in headers.items()}
payload = Webhook(sub["secret"]).verify(body, lower)  # raises if the signature is wrong
assert payload["type"] == "vendor.created", payload
assert payload["data"]["id"] == vendor["id"], payload
print(f"standardwebhooks verified {lower['webhook-id']} ({payload['type']})")
