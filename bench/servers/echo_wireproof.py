"""The wireproof echo server over stdio: ``python bench/servers/echo_wireproof.py``."""

from echo import wireproof_app

if __name__ == "__main__":
    wireproof_app().run_stdio(None)
