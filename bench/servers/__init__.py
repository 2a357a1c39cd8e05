"""The benchmark's echo servers: one tool served by wireproof, by MCPServer and by the bare low-level Server."""
