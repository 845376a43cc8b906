"""A real MCP client session from the SDK, driven from synchronous tests.

The client runs in an event loop on a thread of its own (anyio's blocking
portal), so one session can serve every test of a module: a module-scoped
async fixture would enter and leave the client's task group in different
tasks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, TextContent, TextResourceContents


class Session:
    def __init__(self, portal: BlockingPortal, client: Client) -> None:
        self.portal = portal
        self.client = client

    def call(self, tool: str, **arguments: Any) -> CallToolResult:
        return self.portal.call(self.client.call_tool, tool, arguments)

    def answer(self, tool: str, **arguments: Any) -> Any:
        """The tool's JSON answer; the call must succeed, and its text must say the same."""
        result = self.call(tool, **arguments)
        assert not result.is_error, self.error_text(result)
        [content] = result.content
        assert isinstance(content, TextContent)
        assert json.loads(content.text) == result.structured_content
        return result.structured_content

    @staticmethod
    def error_text(result: CallToolResult) -> str:
        return " ".join(c.text for c in result.content if isinstance(c, TextContent))

    def error(self, tool: str, **arguments: Any) -> str:
        """The message of a call that must fail as a tool error."""
        result = self.call(tool, **arguments)
        assert result.is_error, result
        return self.error_text(result)

    def read(self, uri: str) -> TextResourceContents:
        result = self.portal.call(self.client.read_resource, uri)
        [content] = result.contents
        assert isinstance(content, TextResourceContents)
        return content


@contextmanager
def session(server: MCPServer | StdioServerParameters) -> Iterator[Session]:
    with start_blocking_portal() as portal:
        client = Client(server, read_timeout_seconds=120)
        with portal.wrap_async_context_manager(client) as entered:
            yield Session(portal, entered)
