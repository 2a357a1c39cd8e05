"""The MCPServer echo server over stdio: ``python bench/servers/echo_mcpserver.py``."""

from echo import build_mcpserver

if __name__ == "__main__":
    build_mcpserver().run("stdio")
