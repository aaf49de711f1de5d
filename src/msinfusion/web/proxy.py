"""Trusted reverse proxies: believe X-Forwarded-For, -Proto and -Host only from them.

Behind a TLS-terminating proxy every request arrives from the proxy's address over plain HTTP. When
``proxy_headers`` is on and the peer is one of ``forwarded_allow_ips``, this middleware rewrites the
request to what the browser sent: the client address (so sign-in throttling keys on the real person,
not the proxy everyone shares), the scheme and the host (so the CSRF origin check compares the
browser's ``Origin`` with the address it actually used). Headers from any other peer are ignored, so
nobody can claim an address or an origin by sending the header themselves.
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_address

from starlette.types import ASGIApp, Receive, Scope, Send

Networks = tuple[IPv4Network | IPv6Network, ...]


def is_trusted(host: str | None, proxies: Networks) -> bool:
    """True when ``host`` is an IP address inside one of the trusted proxy networks."""
    if not host:
        return False
    try:
        address = ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in proxies)


def client_address(forwarded_for: str, peer: str, proxies: Networks) -> str:
    """The real client: walking X-Forwarded-For from the right, the first hop that is not a trusted proxy.

    Each proxy appends the address it received from, so entries left of the last untrusted hop may be
    forged by the client and are never read.
    """
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


def _last(value: str) -> str:
    """The value the nearest proxy set, when a header carries a list."""
    return value.split(",")[-1].strip()


class TrustedProxyMiddleware:
    """Rewrite client, scheme and host from X-Forwarded-* headers sent by a trusted proxy."""

    def __init__(self, app: ASGIApp, proxies: Networks) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            peer = scope.get("client")
            if peer is not None and is_trusted(peer[0], self.proxies):
                self._rewrite(scope, peer[0])
        await self.app(scope, receive, send)

    def _rewrite(self, scope: Scope, peer: str) -> None:
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        forwarded_for = headers.get("x-forwarded-for")
        if forwarded_for:
            scope["client"] = (client_address(forwarded_for, peer, self.proxies), 0)
        proto = headers.get("x-forwarded-proto")
        if proto and _last(proto).lower() in ("http", "https"):
            scheme = _last(proto).lower()
            scope["scheme"] = scheme if scope["type"] == "http" else {"http": "ws", "https": "wss"}[scheme]
        host = headers.get("x-forwarded-host")
        if host and _last(host):
            rest = [(key, value) for key, value in scope["headers"] if key != b"host"]
            scope["headers"] = [(b"host", _last(host).encode("latin-1")), *rest]
