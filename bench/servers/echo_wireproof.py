"""The wireproof echo server over stdio: ``python bench/servers/echo_wireproof.py``."""

from echo import wireproof_app

from wireproof import LOCAL_OPERATOR

if __name__ == "__main__":
    wireproof_app().run_stdio(None, principal=LOCAL_OPERATOR)
