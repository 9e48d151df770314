"""What the chat module registers with the platform: the chat adapter of the inbox (replies to a
chat are stored and streamed to the visitor, not sent to a provider)."""

from vinculo.channels.inbox import adapters

from .adapter import ChatAdapter

adapters.register_channel_adapter("chat", ChatAdapter)
