"""The inbox adapter of the chat channel: a reply is already stored as a message; the visitor's
open event stream delivers it, so sending is waking that stream up."""

from __future__ import annotations

from vinculo.channels.inbox.adapters import Adapter
from vinculo.channels.inbox.models import Message

from . import live


class ChatAdapter(Adapter):
    def send(self, message: Message) -> str:
        live.poke()
        return f"chat-{message.pk}"
