"""How kefu talks HTTP to the Bot API: PTB's request interface over aiohttp.

PTB's default, httpx, spends most of a bot's CPU on each request: at 300 replies a second
on the benchmark, kefu's process was bound by it (pure-Python HTTP parsing, and a pool that
asks the kernel for every idle socket's peer on every request). aiohttp parses in C and
keeps its pool cheaply. PTB supports swapping the transport (BaseRequest); the rest of
PTB (rate limiter, retries, errors) is unchanged. `telegram.http: httpx` in kefu.yaml goes
back to PTB's own.
"""

from __future__ import annotations

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from yarl import URL

Timeout = float | None
JSON = {"Content-Type": "application/json"}
Proxy = tuple[URL | None, aiohttp.BasicAuth | None]


class AiohttpRequest(BaseRequest):
    """One aiohttp session; timeouts as PTB's HTTPXRequest takes them."""

    def __init__(self, connection_pool_size: int = 256, read_timeout: Timeout = 5.0,
                 write_timeout: Timeout = 5.0, connect_timeout: Timeout = 5.0,
                 pool_timeout: Timeout = 1.0) -> None:
        self._pool_size = connection_pool_size
        self._timeouts = {"read": read_timeout, "write": write_timeout,
                          "connect": connect_timeout, "pool": pool_timeout}
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, Proxy] = {}  # per scheme://host: read from the environment once

    @property
    def read_timeout(self) -> Timeout:
        """The default read timeout (PTB adds it to getUpdates' long-poll timeout)."""
        return self._timeouts["read"]

    async def initialize(self) -> None:
        """Open the session; HTTP(S)_PROXY and NO_PROXY come from the environment (`_proxy`)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            # Not trust_env: with it aiohttp reads ~/.netrc and the proxy variables on two
            # worker threads for every request, two thread hops a reply.
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; PTB turns the status and body into a result or an error."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        # aiohttp has no write timeout (write_timeout is unused): a send that stalls on the
        # way out meets the read timeout instead.
        read = self._timeout(read_timeout, "read")
        connect = self._timeout(connect_timeout, "connect")
        pool = self._timeout(pool_timeout, "pool")
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=connect, sock_read=read,
            connect=None if connect is None or pool is None else connect + pool)
        body, headers = _body(request_data)
        try:
            proxy, proxy_auth = self._proxy(url)
            async with self._session.request(method, url, data=body, headers=headers,
                                             timeout=timeout, proxy=proxy,
                                             proxy_auth=proxy_auth) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err

    def _proxy(self, url: str) -> Proxy:
        """The proxy the environment names for this URL's scheme and host (NO_PROXY
        honoured), looked up once: the Bot API lives at one address."""
        origin = url.split("/", 3)[:3]
        key = "/".join(origin)
        if key not in self._proxies:
            try:
                self._proxies[key] = get_env_proxy_for_url(URL(url))
            except LookupError:  # none configured, or NO_PROXY names this host
                self._proxies[key] = (None, None)
        return self._proxies[key]

    def _timeout(self, given: object, name: str) -> Timeout:
        if isinstance(given, int | float) or given is None:
            return given
        return self._timeouts[name]  # PTB's DEFAULT_NONE: this request's default


def _body(request_data: RequestData | None
          ) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """JSON, which the Bot API takes as it takes a form (objects such as reply_markup as
    JSON text either way) and which costs a fraction of percent-encoding Chinese text; a
    multipart form when there are files to upload."""
    if request_data is None:
        return None, None
    files = request_data.multipart_data
    if not files:
        return request_data.json_payload, JSON
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None


def make_request(kind: str, connection_pool_size: int, read_timeout: Timeout,
                 write_timeout: Timeout, connect_timeout: Timeout,
                 pool_timeout: Timeout) -> BaseRequest:
    """The request object for `telegram.http` ("aiohttp" or PTB's own "httpx")."""
    cls = AiohttpRequest if kind == "aiohttp" else HTTPXRequest
    return cls(connection_pool_size=connection_pool_size, read_timeout=read_timeout,
               write_timeout=write_timeout, connect_timeout=connect_timeout,
               pool_timeout=pool_timeout)
