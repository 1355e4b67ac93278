"""Records a real agent server's persistence directory for the importer's tests.

Runs `python -m openhands.agent_server` (the interpreter running this script must have
openhands-agent-server installed) against a local fake OpenAI-compatible LLM, holds two
conversations of two turns each, stops the server and copies its conversations directory to
the given output path. The server encrypts the LLM key in base_state.json under OH_SECRET_KEY,
which is written beside the copy as `secret_key.txt`.

    python scripts/make-agent-store-fixture.py tests/fixtures/agent-server-store
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SESSION_KEY = "fixture-session-key"
SECRET_KEY = "fixture-secret-key-0123456789abcdef"
LLM_KEY = "sk-fixture-llm-key"


class FakeLlm(BaseHTTPRequestHandler):
    calls = 0

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        FakeLlm.calls += 1
        answer = {
            "id": f"chatcmpl-{FakeLlm.calls}",
            "object": "chat.completion",
            "created": 1_795_000_000,
            "model": body.get("model", "fake"),
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": f"Hello from the fake LLM ({FakeLlm.calls})."},
                "finish_reason": "stop",
            }],
            "usage": {"prompt_tokens": 120, "completion_tokens": 8, "total_tokens": 128},
        }
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("X-Session-API-Key", SESSION_KEY)
    req.add_header("content-type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.loads(response.read() or b"null")


def wait_finished(base, conversation_id):
    for _ in range(240):
        state = request("GET", f"{base}/api/conversations/{conversation_id}")
        if state.get("execution_status") == "finished":
            return
        time.sleep(0.25)
    raise SystemExit(f"conversation {conversation_id} did not finish")


def main(out):
    llm = ThreadingHTTPServer(("127.0.0.1", 0), FakeLlm)
    threading.Thread(target=llm.serve_forever, daemon=True).start()
    llm_url = f"http://127.0.0.1:{llm.server_address[1]}/v1"
    work = tempfile.mkdtemp()
    for sub in ("home", "tmux", "workspace"):
        os.makedirs(os.path.join(work, sub))
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.path.join(work, "home"),
        "TMUX_TMPDIR": os.path.join(work, "tmux"),
        "OH_SESSION_API_KEYS_0": SESSION_KEY,
        "OH_SECRET_KEY": SECRET_KEY,
        "OH_ENABLE_VSCODE": "false",
        "OH_PRELOAD_TOOLS": "false",
        "OH_ENABLE_BROWSER": "false",
        "OH_CONVERSATIONS_PATH": os.path.join(work, "conversations"),
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "OPENHANDS_SUPPRESS_BANNER": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "openhands.agent_server", "--host", "127.0.0.1", "--port", str(port)],
        cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "server.log"), "w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(480):
            try:
                urllib.request.urlopen(f"{base}/ready", timeout=2)
                break
            except Exception:
                time.sleep(0.25)
        for title, first, second in [
            ("Greetings", "Say hello.", "Say it again."),
            ("Second run", "What is two plus two?", "Thanks."),
        ]:
            started = request("POST", f"{base}/api/conversations", {
                "agent": {
                    "kind": "Agent",
                    "llm": {
                        "model": "openai/fake", "base_url": llm_url, "api_key": LLM_KEY,
                        "usage_id": "agent", "input_cost_per_token": 0.000003,
                        "output_cost_per_token": 0.000015, "num_retries": 0,
                    },
                    "tools": [],
                },
                "workspace": {"working_dir": os.path.join(work, "workspace")},
                "initial_message": {"role": "user", "content": [{"type": "text", "text": first}], "run": True},
                "max_iterations": 5,
                "autotitle": False,
                "secrets": {"FIXTURE_TOKEN": {"kind": "StaticSecret", "value": "fixture-token-value", "description": "a fixture token"}},
            })
            conversation_id = started["id"]
            wait_finished(base, conversation_id)
            request("POST", f"{base}/api/conversations/{conversation_id}/events",
                    {"role": "user", "content": [{"type": "text", "text": second}], "run": True})
            time.sleep(0.5)
            wait_finished(base, conversation_id)
            try:
                request("PATCH", f"{base}/api/conversations/{conversation_id}", {"title": title})
            except Exception as error:  # the title is optional
                print(f"title not set: {error}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=30)
        subprocess.run(["pkill", "-f", os.path.join(work, "tmux")], check=False)
    if os.path.exists(out):
        shutil.rmtree(out)
    shutil.copytree(os.path.join(work, "conversations"), os.path.join(out, "conversations"))
    with open(os.path.join(out, "secret_key.txt"), "w") as f:
        f.write(SECRET_KEY + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1])
