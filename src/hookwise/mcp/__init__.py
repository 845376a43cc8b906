"""``hookwise mcp``: a Model Context Protocol face beside the CLI (docs/mcp.md).

``server`` registers the tools and resources with the MCP SDK; ``tools``,
``documents`` and ``patterns`` compute their answers over the capability
packages without the SDK. Importing this package imports nothing.
"""
