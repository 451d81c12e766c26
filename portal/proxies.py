"""Forwarded headers, believed only from the proxies the deployment names (PORTAL_TRUSTED_PROXIES).

A request's X-Forwarded-For is just text its sender chose. It is honoured only when the immediate peer
(REMOTE_ADDR) is a trusted proxy; the client address is then the right-most address in the chain that is not
itself a trusted proxy, so a client cannot pick its own address by sending the header (every per-address limit
depends on this). X-Forwarded-Proto and -Host are taken from the last hop, and only from a trusted peer.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK = ("127.0.0.0/8", "::1/128")


def parse_networks(text: str) -> tuple[Network, ...]:
    """'127.0.0.1, 10.0.0.0/8, ::1' as networks; ValueError names the first entry that is not one."""
    networks = []
    for part in text.split(","):
        entry = part.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(f"{entry!r} is not an IP address or network") from exc
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


class TrustedProxies:
    """WSGI middleware: apply forwarded headers only for requests whose peer is in `networks`."""

    def __init__(self, app: Any, networks: Iterable[Network]) -> None:
        self.app = app
        self.networks = tuple(networks)
        self.forwarded = ProxyFix(app, x_for=0, x_proto=1, x_host=1)

    def trusted(self, text: str | None) -> bool:
        address = _address(text or "")
        if address is None:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address.version == net.version and address in net for net in self.networks)

    def client_address(self, peer: str, forwarded_for: str) -> str:
        """Walk X-Forwarded-For from the right past trusted proxies; the first other address is the client."""
        address = peer
        for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
            if not self.trusted(address):
                break
            if _address(hop) is None:
                break  # garbage in the chain: stop at the last proxy we trust
            address = hop.strip("[]")
        return address

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        peer = environ.get("REMOTE_ADDR", "")
        if not self.trusted(peer):
            return self.app(environ, start_response)
        forwarded_for = environ.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded_for:
            environ["portal.proxy_peer"] = peer
            environ["REMOTE_ADDR"] = self.client_address(peer, forwarded_for)
        return self.forwarded(environ, start_response)
