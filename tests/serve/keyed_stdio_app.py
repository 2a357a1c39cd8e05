"""A connector served over stdio by the library alone, its caller the key in ``NOTES_API_KEY``.

``python -m tests.serve.keyed_stdio_app KEYS_FILE``: the generic stdio path any author writes,
``app.run_stdio(state, principal=KeysFile(path).from_env("NOTES_API_KEY"))``.
"""

from __future__ import annotations

import sys

from pydantic import BaseModel

from wireproof import Connector, KeysFile

app: Connector[None] = Connector("notes")


class Note(BaseModel):
    text: str


@app.read(scopes={"notes:read"})
def read_note() -> Note:
    """Read the one note."""
    return Note(text="hello")


if __name__ == "__main__":
    app.run_stdio(None, principal=KeysFile(sys.argv[1]).from_env("NOTES_API_KEY"))
