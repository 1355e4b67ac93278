"""Writes a single-user OpenHands file store with OpenHands' own storage code, for the importer's tests.

Needs the V0 app (`pip install openhands-ai==0.59.0` in a Python 3.12 virtualenv). Uses its
FileSettingsStore, FileSecretsStore, FileConversationStore and EventStream over a LocalFileStore,
exactly as the single-user app does, then adds a session whose metadata lacks created_at (which
OpenHands itself treats as missing).

    python scripts/make-file-store-fixture.py tests/fixtures/openhands-file-store
"""

import asyncio
import json
import os
import shutil
import sys
from datetime import datetime, timezone

from pydantic import SecretStr

from openhands.core.config.openhands_config import OpenHandsConfig
from openhands.events.action import CmdRunAction, MessageAction
from openhands.events.event import EventSource
from openhands.events.observation import CmdOutputObservation
from openhands.events.observation.agent import AgentStateChangedObservation
from openhands.events.stream import EventStream
from openhands.integrations.provider import CustomSecret, ProviderToken, ProviderType
from openhands.storage.conversation.file_conversation_store import FileConversationStore
from openhands.storage.data_models.conversation_metadata import ConversationMetadata
from openhands.storage.data_models.settings import Settings
from openhands.storage.data_models.user_secrets import UserSecrets
from openhands.storage.local import LocalFileStore
from openhands.storage.secrets.file_secrets_store import FileSecretsStore
from openhands.storage.settings.file_settings_store import FileSettingsStore

SESSION = "3f2a9c1e8b7d4e6fa0b1c2d3e4f5a6b7"


async def main(out):
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    files = LocalFileStore(out)
    config = OpenHandsConfig(file_store="local", file_store_path=out)

    settings = FileSettingsStore(files)
    await settings.store(Settings(
        language="en", agent="CodeActAgent", max_iterations=40, confirmation_mode=True,
        security_analyzer="llm", llm_model="anthropic/claude-sonnet-4-20250514",
        llm_api_key=SecretStr("sk-ant-fixture-key"), llm_base_url="https://llm.example.com/v1",
    ))
    secrets = FileSecretsStore(files)
    await secrets.store(UserSecrets(
        provider_tokens={ProviderType.GITHUB: ProviderToken(token=SecretStr("ghp_fixture"), host="github.com")},
        custom_secrets={"MY_API_KEY": CustomSecret(secret=SecretStr("abc123"), description="demo key")},
    ))

    conversations = FileConversationStore(files)
    await conversations.save_metadata(ConversationMetadata(
        conversation_id=SESSION, selected_repository="octo/hello", selected_branch="main",
        git_provider="github", title="List repo files", trigger="gui", pr_number=[7],
        created_at=datetime(2025, 10, 12, 14, 3, 10, tzinfo=timezone.utc),
        last_updated_at=datetime(2025, 10, 12, 14, 5, 2, tzinfo=timezone.utc),
        accumulated_cost=0.0123, prompt_tokens=3500, completion_tokens=80, total_tokens=3580,
    ))
    stream = EventStream(SESSION, files)
    stream.add_event(MessageAction(content="List the files in /workspace"), EventSource.USER)
    stream.add_event(AgentStateChangedObservation("", "running"), EventSource.ENVIRONMENT)
    run = CmdRunAction(command="ls -la /workspace", thought="Let me list the files.")
    stream.add_event(run, EventSource.AGENT)
    output = CmdOutputObservation(content="total 8\nREADME.md\n", command="ls -la /workspace")
    output._cause = run.id
    stream.add_event(output, EventSource.AGENT)
    stream.add_event(MessageAction(content="There is a README.md."), EventSource.AGENT)
    stream.add_event(AgentStateChangedObservation("", "awaiting_user_input"), EventSource.ENVIRONMENT)
    stream.close()

    broken = os.path.join(out, "sessions", "0badc0de0badc0de0badc0de0badc0de")
    os.makedirs(os.path.join(broken, "events"))
    with open(os.path.join(broken, "metadata.json"), "w") as f:
        json.dump({"conversation_id": "0badc0de0badc0de0badc0de0badc0de", "title": "no created_at"}, f)
    print(f"wrote {out}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
