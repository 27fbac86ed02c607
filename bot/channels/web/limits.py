"""The web app's rate limits: per client address and per conversation, on the chat, the
document uploads and the live feed (bot/channels/rate_limits.py counts them).

The client address is the socket's peer, or, when that peer is one of ``TRUSTED_PROXIES``,
the nearest address in ``X-Forwarded-For`` that is not a trusted proxy: a header any client
can write counts only where our own proxy wrote it. The limits (and the SMS budget, which
gets it as ``cliente``) count an IPv6 client by its /64: one subscriber's network, which
gives its owner 2^64 addresses to rotate through.
"""

from __future__ import annotations

from ipaddress import ip_address, ip_network

from starlette.requests import Request
from starlette.responses import JSONResponse

from backend.settings import Settings
from bot.channels.rate_limits import RateLimit, storage_for, too_fast

UNKNOWN_CLIENT = "sconosciuto"


class ClientAddress:
    """Resolves the client's address from the peer and the trusted proxies' header."""

    def __init__(self, trusted_proxies: list[str]):
        self.trusted = [ip_network(network) for network in trusted_proxies]

    def _is_trusted(self, address: str) -> bool:
        try:
            parsed = ip_address(address.strip())
        except ValueError:
            return False
        return any(parsed in network for network in self.trusted)

    def __call__(self, request: Request) -> str:
        address = request.client.host if request.client else UNKNOWN_CLIENT
        if not self._is_trusted(address):
            return address
        hops = request.headers.get("x-forwarded-for", "").split(",")
        for hop in reversed([hop.strip() for hop in hops if hop.strip()]):
            if not self._is_trusted(hop):
                try:
                    return str(ip_address(hop))
                except ValueError:  # not an address: the last proxy's peer is all we know
                    return address
            address = hop
        return address

    def key(self, request: Request) -> str:
        """What the limits count this request's client by."""
        return client_key(self(request))


def client_key(address: str) -> str:
    """An IPv4 address as it is, an IPv6 one as its /64 network."""
    try:
        parsed = ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped:
        return str(parsed.ipv4_mapped)
    return str(ip_network(f"{parsed}/64", strict=False))


class WebLimits:
    """The limits of the web app (chat, documents, live feed), on one storage."""

    def __init__(self, settings: Settings):
        storage = storage_for(settings.redis_url)
        self.chat_client = RateLimit("chat-cliente", settings.rate_limit_chat_client, storage)
        self.chat_conversation = RateLimit(
            "chat-conversazione", settings.rate_limit_chat_conversation, storage
        )
        self.documents_client = RateLimit(
            "documenti-cliente", settings.rate_limit_documents_client, storage
        )
        self.documents_conversation = RateLimit(
            "documenti-conversazione", settings.rate_limit_documents_conversation, storage
        )
        self.live_client = RateLimit("diretta-cliente", settings.rate_limit_live_client, storage)
        self.live_conversation = RateLimit(
            "diretta-conversazione", settings.rate_limit_live_conversation, storage
        )
        self.client_address = ClientAddress(settings.trusted_proxies)


def too_many(seconds: int) -> JSONResponse:
    """429 with the wait in ``Retry-After`` and in words for the widget to show."""
    return JSONResponse(
        {"errore": too_fast(seconds)}, status_code=429, headers={"Retry-After": str(seconds)}
    )
