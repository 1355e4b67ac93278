"""A real user of Tenantry's OpenHands Cloud API: the SDK's `OpenHandsCloudWorkspace` (1.58.0).

Run by the e2e tests with the agent-server virtualenv (tests/agent-server/requirements.txt):

    <venv>/bin/python tests/cloud-api/sdk_cloud_workspace.py

Configured by the environment:
    TENANTRY_URL            Tenantry's base URL, e.g. http://127.0.0.1:PORT (the SDK adds /api/v1/...)
    TENANTRY_API_KEY        an API key, sent as `Authorization: Bearer`
    EXPECTED_LLM_MODEL      what `workspace.get_llm()` must return as `model`,
    EXPECTED_LLM_BASE_URL   ... as `base_url`,
    EXPECTED_LLM_API_KEY    ... and as `api_key`
    EXPECTED_SECRET_NAME    a name `workspace.get_secrets()` must list
    WORKSPACE_WORKING_DIR   optional: the conversation's working directory on the agent server. The
                            SDK's default is /workspace/project, which the agent server creates; a
                            relative path is taken from the agent server's current directory.

It creates a sandbox (POST /api/v1/sandboxes), waits until it runs, reads the LLM and the secrets
through the Cloud API, runs one conversation on the sandbox's agent server with that LLM and no
tools, and deletes the sandbox when the `with` block ends, as the SDK does by default. On success
it prints one JSON line to stdout:

    {"sandbox_id": ..., "conversation_id": <32 hex>, "llm_model": ..., "secrets": [...]}

Anything else exits non-zero with the reason on stderr; the SDK's own logs also go to stderr.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback


# Hermetic: no banner, no download of LiteLLM's price list, and none of the automation settings
# the SDK reads from the environment (they would add a completion callback and tags).
os.environ.setdefault("OPENHANDS_SUPPRESS_BANNER", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
for _name in ("AUTOMATION_CALLBACK_URL", "AUTOMATION_EVENT_PAYLOAD", "AUTOMATION_RUN_ID"):
    os.environ.pop(_name, None)

# Modest bounds. The SDK's wait for RUNNING has its own fixed limit (300 s, polls 2-10 s apart).
SANDBOX_CREATE_TIMEOUT = 120.0  # POST /api/v1/sandboxes (and /resume)
API_TIMEOUT = 60.0  # every other Cloud API call, and reads from the agent server
RUN_TIMEOUT = 180.0  # conversation.run() until the agent finishes
MESSAGE = "Say hello."


class Failure(Exception):
    """A check that did not hold."""


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise Failure(f"the environment variable {name} is not set")
    return value


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def secret_text(value: object) -> object:
    """The plain value of a pydantic SecretStr; anything else unchanged."""
    get = getattr(value, "get_secret_value", None)
    return get() if callable(get) else value


def run() -> dict[str, object]:
    url = required_env("TENANTRY_URL")
    api_key = required_env("TENANTRY_API_KEY")
    expected_model = required_env("EXPECTED_LLM_MODEL")
    expected_base_url = required_env("EXPECTED_LLM_BASE_URL")
    expected_llm_key = required_env("EXPECTED_LLM_API_KEY")
    expected_secret = required_env("EXPECTED_SECRET_NAME")
    working_dir = os.environ.get("WORKSPACE_WORKING_DIR")

    from openhands.sdk import (
        Agent,
        Conversation,
        ConversationExecutionStatus,
        MessageEvent,
    )
    from openhands.workspace import OpenHandsCloudWorkspace

    workspace_options: dict[str, object] = {}
    if working_dir:
        workspace_options["working_dir"] = working_dir

    with OpenHandsCloudWorkspace(
        cloud_api_url=url,
        cloud_api_key=api_key,
        init_timeout=SANDBOX_CREATE_TIMEOUT,
        api_timeout=API_TIMEOUT,
        **workspace_options,
    ) as workspace:
        # 1.58.0 has no public getter for the id of the sandbox it created (`sandbox_id` is only the
        # one passed in to resume); `cleanup()` clears this on exit, so read it now.
        sandbox_id = workspace._sandbox_id
        check(bool(sandbox_id), "the workspace has no sandbox id after it started")
        check(
            workspace.host.startswith(("http://", "https://")),
            f"the workspace's agent server URL is {workspace.host!r}",
        )

        # GET /api/v1/users/me?expose_secrets=true (Bearer + X-Session-API-Key)
        llm = workspace.get_llm()
        check(
            llm.model == expected_model,
            f"get_llm().model is {llm.model!r}, expected {expected_model!r}",
        )
        check(
            llm.base_url == expected_base_url,
            f"get_llm().base_url is {llm.base_url!r}, expected {expected_base_url!r}",
        )
        llm_key = secret_text(llm.api_key)
        check(
            llm_key == expected_llm_key,
            "get_llm().api_key is not the expected key"
            + (" (it is empty)" if not llm_key else ""),
        )

        # GET /api/v1/sandboxes/{id}/settings/secrets (X-Session-API-Key only)
        secrets = workspace.get_secrets()
        check(
            expected_secret in secrets,
            f"get_secrets() lists {sorted(secrets)}, not {expected_secret!r}",
        )

        # A RemoteConversation on the sandbox's agent server, reached directly at its exposed URL.
        # The default tools (finish, think) are built in and need nothing from the sandbox.
        agent = Agent(llm=llm, tools=[])
        conversation = Conversation(
            agent=agent,
            workspace=workspace,
            # As the SDK's docs do: the agent server resolves these lazily, from Tenantry.
            secrets=secrets,
            visualizer=None,
        )
        try:
            conversation.send_message(MESSAGE)
            # Blocks until the server reports the run over (or raises ConversationRunError).
            conversation.run(timeout=RUN_TIMEOUT)
            status = conversation.state.execution_status
            check(
                status == ConversationExecutionStatus.FINISHED,
                f"the conversation ended {status!r}, not finished",
            )
            replies = [
                event
                for event in conversation.state.events
                if isinstance(event, MessageEvent) and event.source == "agent"
            ]
            check(bool(replies), "the agent finished without a reply")
            conversation_id = conversation.id.hex
        finally:
            # Before the sandbox goes: deletes the conversation on the agent server (the SDK's
            # default), which needs the workspace's client still open.
            conversation.close()

    return {
        "sandbox_id": sandbox_id,
        "conversation_id": conversation_id,
        "llm_model": llm.model,
        "secrets": sorted(secrets),
    }


def main() -> int:
    stdout = sys.stdout
    try:
        # stdout carries only the result line.
        with contextlib.redirect_stdout(sys.stderr):
            result = run()
    except Failure as failure:
        print(f"sdk_cloud_workspace: FAILED: {failure}", file=sys.stderr)
        return 1
    except BaseException as error:  # noqa: BLE001 - any error fails the test, with its trace
        traceback.print_exc(file=sys.stderr)
        print(
            f"sdk_cloud_workspace: FAILED: {type(error).__name__}: {error}",
            file=sys.stderr,
        )
        return 1
    print(json.dumps(result), file=stdout, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
